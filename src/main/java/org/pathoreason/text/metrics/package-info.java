/**
 * Text-overlap metrics shared by rewards and evaluation, matching the peer implementations exactly:
 * {@link org.pathoreason.text.metrics.Bleu} and {@link org.pathoreason.text.metrics.RougeL} reproduce
 * pycocoevalcap (the shared vectors in {@code src/test/resources/fixtures/vectors/caption-metrics.json} are met to 1e-6), and
 * {@link org.pathoreason.text.metrics.TokenF1} reproduces the SQuAD script's F1 and exact match.
 *
 * <p>Tokenisation: pycocoevalcap's metrics split on whitespace and keep case; callers tokenise first. The
 * evaluation uses {@link org.pathoreason.text.metrics.CaptionTokenizer#PTB} by default (a close approximation of
 * the COCO pipeline's Stanford PTB tokenizer, which is not shipped) and offers {@code NONE} for pre-tokenised
 * text, which then scores exactly as pycocoevalcap run on the raw strings.
 */
package org.pathoreason.text.metrics;


package org.pathoreason.generate;

/**
 * One generated continuation.
 *
 * @param tokenIds generated ids, the stop token included when one ended the sequence
 * @param text decoded text of the generated ids without the stop token, cut before a stop string
 * @param logProbs per generated token, its log-probability under the model's unmodified distribution
 *     (log-softmax of the raw logits, before temperature, top-k and top-p)
 * @param finishReason why generation stopped
 */
public record GenerationResult(long[] tokenIds, String text, float[] logProbs, FinishReason finishReason) {
}

/**
 * Scoring and evaluation. {@link org.pathoreason.eval.Scorer} matches predictions
 * ({@code {"id", "prediction", "output_tokens"?}} per line) to samples by id and produces a
 * {@link org.pathoreason.eval.ScoreReport}: accuracy of closed questions with extraction misses, BLEU-1..4 and
 * ROUGE-L (pycocoevalcap), token F1 and exact match of open answers, mean output tokens, the same per subset, task
 * and question type, and a diagnosis confusion matrix. {@link org.pathoreason.eval.ClassificationMetrics} adds
 * balanced accuracy and recall@K for zero-shot classification and retrieval.
 *
 * <p>Run layout read by {@code pathoreason report}: a run folder holds {@code metrics.json} (written by
 * {@code score --json}/{@code --report}) or {@code eval/metrics.json} (written by {@code eval} inside a training
 * run). {@link org.pathoreason.eval.report} writes the HTML reports and PNG charts.
 */
package org.pathoreason.eval;


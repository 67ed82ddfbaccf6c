package org.pathoreason.eval;

import java.nio.file.Path;
import java.util.List;

/**
 * What an evaluation produced.
 *
 * @param score the scores with the per-item verdicts
 * @param predictions one prediction per evaluated sample, in sample order
 * @param info counts, settings and speed (also written as {@code eval.json})
 * @param outDir the output folder, or null for an in-memory run
 * @param title the report's title
 * @param details settings and counts the report lists
 * @param imageBase folder the samples' relative image paths are resolved against
 */
public record EvalResult(ScoreResult score, List<Prediction> predictions, EvalRunInfo info, Path outDir,
        String title, java.util.Map<String, Object> details, Path imageBase) {

    public EvalResult {
        predictions = List.copyOf(predictions);
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }

    public ScoreReport report() {
        return score.report();
    }

    /** {@code predictions.jsonl}, or null for an in-memory run. */
    public Path predictionsFile() {
        return outDir == null ? null : outDir.resolve(EvalOptions.PREDICTIONS);
    }

    /** {@code metrics.json}, or null for an in-memory run. */
    public Path metricsFile() {
        return outDir == null ? null : outDir.resolve(EvalOptions.METRICS);
    }

    /** {@code report.html}, or null for an in-memory run. */
    public Path reportFile() {
        return outDir == null ? null : outDir.resolve(EvalOptions.REPORT);
    }
}

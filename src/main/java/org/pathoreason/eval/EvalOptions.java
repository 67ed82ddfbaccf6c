package org.pathoreason.eval;

import java.nio.file.Path;
import java.util.Objects;
import org.pathoreason.text.PromptStyle;

/**
 * How {@link EvalRunner} evaluates a model. Decoding is always greedy, as the papers report their benchmarks.
 *
 * @param style system prompt and question instruction; must be the style the model was trained with
 * @param maxNewTokens most tokens generated per answer
 * @param batchSize prompts generated together (left-padded into one batch with one KV cache)
 * @param limit evaluate only the first {@code limit} samples, in data order (0 = all)
 * @param scoring how predictions are scored (answer extraction, metrics)
 * @param outDir where {@code predictions.jsonl}, {@code metrics.json}, {@code report.html}, {@code plots/},
 *     {@code examples/} and {@code eval.json} go; null keeps everything in memory (no resume, no report)
 * @param examples example reasonings shown in the report
 * @param fresh discard predictions of an earlier run in {@code outDir} instead of resuming from them
 * @param progress show a progress bar on stderr
 * @param modelName names the model in {@code eval.json} and the report; a run resumed in the same folder must
 *     name the same model (null: not checked)
 * @param dataName names the data in {@code eval.json} and the report (null: not shown)
 * @param minPixels image pixel lower bound overriding the checkpoint's, 0 to keep it
 * @param maxPixels image pixel upper bound overriding the checkpoint's, 0 to keep it
 */
public record EvalOptions(PromptStyle style, int maxNewTokens, int batchSize, int limit, ScoreOptions scoring,
        Path outDir, int examples, boolean fresh, boolean progress, String modelName, String dataName,
        long minPixels, long maxPixels) {

    /** The predictions file inside {@code outDir}. */
    public static final String PREDICTIONS = "predictions.jsonl";
    /** The run record inside {@code outDir} (settings, counts, timing). */
    public static final String RUN_INFO = "eval.json";
    public static final String METRICS = "metrics.json";
    public static final String REPORT = "report.html";

    /** Chain-of-thought prompts, 512 new tokens, batches of 8, every sample, strict extraction, no files. */
    public static final EvalOptions DEFAULTS = new EvalOptions(PromptStyle.COT, 512, 8, 0, ScoreOptions.DEFAULTS,
            null, 8, false, true, null, null, 0, 0);

    public EvalOptions {
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(scoring, "scoring");
        if (minPixels < 0 || maxPixels < 0) {
            throw new IllegalArgumentException("pixel bounds must be >= 0 (0 = the checkpoint's), got " + minPixels
                    + " and " + maxPixels);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be at least 1, got " + maxNewTokens);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0 (0 = all samples), got " + limit);
        }
        if (examples < 0) {
            throw new IllegalArgumentException("examples must be >= 0, got " + examples);
        }
    }

    public EvalOptions withStyle(PromptStyle s) {
        return new EvalOptions(s, maxNewTokens, batchSize, limit, scoring, outDir, examples, fresh, progress,
                modelName, dataName, minPixels, maxPixels);
    }

    public EvalOptions withMaxNewTokens(int n) {
        return new EvalOptions(style, n, batchSize, limit, scoring, outDir, examples, fresh, progress, modelName,
                dataName, minPixels, maxPixels);
    }

    public EvalOptions withBatchSize(int n) {
        return new EvalOptions(style, maxNewTokens, n, limit, scoring, outDir, examples, fresh, progress, modelName,
                dataName, minPixels, maxPixels);
    }

    public EvalOptions withLimit(int n) {
        return new EvalOptions(style, maxNewTokens, batchSize, n, scoring, outDir, examples, fresh, progress,
                modelName, dataName, minPixels, maxPixels);
    }

    public EvalOptions withScoring(ScoreOptions s) {
        return new EvalOptions(style, maxNewTokens, batchSize, limit, s, outDir, examples, fresh, progress,
                modelName, dataName, minPixels, maxPixels);
    }

    public EvalOptions withOutDir(Path dir) {
        return new EvalOptions(style, maxNewTokens, batchSize, limit, scoring, dir, examples, fresh, progress,
                modelName, dataName, minPixels, maxPixels);
    }

    public EvalOptions withExamples(int n) {
        return new EvalOptions(style, maxNewTokens, batchSize, limit, scoring, outDir, n, fresh, progress,
                modelName, dataName, minPixels, maxPixels);
    }

    public EvalOptions withFresh(boolean on) {
        return new EvalOptions(style, maxNewTokens, batchSize, limit, scoring, outDir, examples, on, progress,
                modelName, dataName, minPixels, maxPixels);
    }

    public EvalOptions withProgress(boolean on) {
        return new EvalOptions(style, maxNewTokens, batchSize, limit, scoring, outDir, examples, fresh, on,
                modelName, dataName, minPixels, maxPixels);
    }

    public EvalOptions withModelName(String name) {
        return new EvalOptions(style, maxNewTokens, batchSize, limit, scoring, outDir, examples, fresh, progress,
                name, dataName, minPixels, maxPixels);
    }

    public EvalOptions withDataName(String name) {
        return new EvalOptions(style, maxNewTokens, batchSize, limit, scoring, outDir, examples, fresh, progress,
                modelName, name, minPixels, maxPixels);
    }

    /** Image pixel bounds overriding the checkpoint's preprocessing (0 keeps the checkpoint's bound). */
    public EvalOptions withPixelBounds(long min, long max) {
        return new EvalOptions(style, maxNewTokens, batchSize, limit, scoring, outDir, examples, fresh, progress,
                modelName, dataName, min, max);
    }
}

package org.pathoreason.train;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * Hyperparameters every trainer shares. Keys are snake_case in files and on the command line
 * ({@code --set lr=2e-5}). Stage-specific settings live in their own records beside this one, composed as sections:
 * {@code record SftConfig(TrainConfig train, SftOptions sft)} reads
 * <pre>
 * train:
 *   lr: 2e-5
 * sft:
 *   ...
 * </pre>
 * and takes {@code --set train.lr=2e-5}; see {@link ConfigLoader}.
 *
 * @param lr peak learning rate
 * @param weightDecay decoupled weight decay (AdamW), not applied to the {@code noDecay} names
 * @param beta1 AdamW beta1
 * @param beta2 AdamW beta2
 * @param eps AdamW epsilon
 * @param lrSchedule constant, linear or cosine (each after linear warmup)
 * @param warmupSteps warmup updates; 0 means use {@code warmupRatio}
 * @param warmupRatio warmup as a fraction of all updates (rounded up), used when {@code warmupSteps} is 0
 * @param minLrRatio cosine only: the final learning rate as a fraction of {@code lr}
 * @param maxSteps optimiser updates to run; {@code <= 0} means derive them from {@code epochs}
 * @param epochs passes over the data when {@code maxSteps <= 0} (may be fractional)
 * @param batchSize samples per micro-batch
 * @param gradAccum micro-batches per optimiser update
 * @param maxGradNorm global gradient-norm clipping; {@code <= 0} turns clipping off
 * @param seed seed of every random stream of the run (data order, dropout, sampling)
 * @param shuffle shuffle the data each epoch
 * @param saveEvery checkpoint every this many updates; 0 saves only at the end
 * @param keepLast checkpoints to keep (older ones are deleted)
 * @param evalEvery validate every this many updates; 0 turns it off
 * @param logEvery write a metrics line every this many updates
 * @param freezeVision keep the vision tower fixed
 * @param freezeMerger keep the patch merger fixed
 * @param freezeLanguage keep the language model fixed
 * @param maxLength longest token sequence; longer samples are cut (or skipped, as the stage decides)
 * @param noDecay regular expressions; a parameter whose name contains a match gets no weight decay
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainConfig(
        double lr,
        double weightDecay,
        double beta1,
        double beta2,
        double eps,
        String lrSchedule,
        long warmupSteps,
        double warmupRatio,
        double minLrRatio,
        long maxSteps,
        double epochs,
        int batchSize,
        int gradAccum,
        double maxGradNorm,
        long seed,
        boolean shuffle,
        long saveEvery,
        int keepLast,
        long evalEvery,
        long logEvery,
        boolean freezeVision,
        boolean freezeMerger,
        boolean freezeLanguage,
        int maxLength,
        List<String> noDecay) {

    public TrainConfig {
        require(lr >= 0 && Double.isFinite(lr), "lr", "a finite number >= 0", lr);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weight_decay", "a number >= 0", weightDecay);
        require(beta1 >= 0 && beta1 < 1, "beta1", "a number in [0, 1)", beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2", "a number in [0, 1)", beta2);
        require(eps >= 0, "eps", "a number >= 0", eps);
        require(lrSchedule != null, "lr_schedule", "constant, linear or cosine", lrSchedule);
        LrSchedule.Kind.parse(lrSchedule);
        require(warmupSteps >= 0, "warmup_steps", "an integer >= 0", warmupSteps);
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", "a number in [0, 1]", warmupRatio);
        require(minLrRatio >= 0 && minLrRatio <= 1, "min_lr_ratio", "a number in [0, 1]", minLrRatio);
        require(maxSteps > 0 || (epochs > 0 && Double.isFinite(epochs)), "epochs",
                "a number > 0 (or set max_steps)", epochs);
        require(batchSize > 0, "batch_size", "an integer > 0", batchSize);
        require(gradAccum > 0, "grad_accum", "an integer > 0", gradAccum);
        require(!Double.isNaN(maxGradNorm), "max_grad_norm", "a number (<= 0 turns clipping off)", maxGradNorm);
        require(saveEvery >= 0, "save_every", "an integer >= 0", saveEvery);
        require(keepLast > 0, "keep_last", "an integer > 0", keepLast);
        require(evalEvery >= 0, "eval_every", "an integer >= 0", evalEvery);
        require(logEvery > 0, "log_every", "an integer > 0", logEvery);
        require(maxLength > 0, "max_length", "an integer > 0", maxLength);
        require(noDecay != null, "no_decay", "a list of regular expressions", noDecay);
        noDecay = List.copyOf(noDecay);
        for (String r : noDecay) {
            try {
                java.util.regex.Pattern.compile(r);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("no_decay: '" + r + "' is not a regular expression: "
                        + e.getDescription());
            }
        }
    }

    /** Defaults: transformers' Trainer where it has one (lr aside), the AdamW betas/eps of PyTorch. */
    public static TrainConfig defaults() {
        return new TrainConfig(1e-5, 0.0, 0.9, 0.999, 1e-8, "cosine", 0, 0.0, 0.0, -1, 1.0, 1, 1, 1.0, 42, true,
                500, 3, 0, 1, false, false, false, 2048, AdamW.DEFAULT_NO_DECAY);
    }

    /**
     * Optimiser updates for a data set of {@code samples} samples, as transformers' Trainer counts them:
     * {@code max_steps} when set, else {@code ceil(epochs * max(1, floor(ceil(samples / batch_size) / grad_accum)))}.
     */
    public long totalSteps(long samples) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        if (samples <= 0) {
            throw new IllegalArgumentException("cannot derive the number of steps from an empty data set");
        }
        long batches = (samples + batchSize - 1) / batchSize;
        long perEpoch = Math.max(1, batches / gradAccum);
        return (long) Math.ceil(epochs * perEpoch);
    }

    /** Warmup updates: {@code warmup_steps} when set, else {@code ceil(warmup_ratio * totalSteps)}. */
    public long warmupSteps(long totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(warmupRatio * totalSteps);
    }

    /** The learning-rate schedule over {@code totalSteps} updates. */
    public LrSchedule schedule(long totalSteps) {
        return LrSchedule.of(LrSchedule.Kind.parse(lrSchedule), lr, warmupSteps(totalSteps), totalSteps, minLrRatio);
    }

    /** AdamW's settings from this config. */
    public AdamW.Settings adamW() {
        return new AdamW.Settings(beta1, beta2, eps, weightDecay, AdamW.noDecayMatching(noDecay));
    }

    /** Applies the freeze switches to {@code params}; returns trainable parameter counts per part. */
    public Map<Freezing.Part, Integer> applyFreezing(Map<String, NDArray> params) {
        return Freezing.apply(params, freezeVision, freezeMerger, freezeLanguage);
    }

    /**
     * An updater for {@code params} over {@code totalSteps} updates: freeze switches applied first, then AdamW,
     * the schedule and clipping from this config.
     */
    public ParameterUpdater updater(Map<String, NDArray> params, long totalSteps) {
        applyFreezing(params);
        return new ParameterUpdater(params, adamW(), schedule(totalSteps), maxGradNorm);
    }

    /** True when a checkpoint is due after update {@code step} ({@code save_every}; 0: only at the end). */
    public boolean shouldSave(long step) {
        return CheckpointManager.due(step, saveEvery);
    }

    /** True when validation is due after update {@code step} ({@code eval_every}; 0: never). */
    public boolean shouldEval(long step) {
        return CheckpointManager.due(step, evalEvery);
    }

    /** True when a metrics line is due after update {@code step} ({@code log_every}). */
    public boolean shouldLog(long step) {
        return CheckpointManager.due(step, logEvery);
    }

    private static void require(boolean ok, String key, String expected, Object got) {
        if (!ok) {
            throw new IllegalArgumentException(key + " must be " + expected + ", got " + got);
        }
    }
}

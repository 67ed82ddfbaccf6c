package org.pathoreason.train.rl;

import org.pathoreason.model.Prompt;

import java.util.function.Function;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.pathoreason.data.Sample;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.generate.TokenDecoder;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.reward.Reward;
import org.pathoreason.reward.RewardResult;
import org.pathoreason.train.Checkpoint;
import org.pathoreason.train.CheckpointManager;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.DataOrder;
import org.pathoreason.train.LrSchedule;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.train.ParameterUpdater;
import org.pathoreason.train.RunInfo;
import org.pathoreason.train.StepRandom;
import org.pathoreason.train.TrainConfig;
import org.pathoreason.train.TrainState;
import org.pathoreason.train.TrainableWeights;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GRPO and DAPO for vision-language policies. Each step:
 * <ol>
 *   <li><b>rollout</b>: {@code train.batch_size} prompts, {@code rl.group_size} completions each, sampled from the
 *       current policy ({@link RolloutCollector}); with dynamic sampling, rounds repeat until the batch holds
 *       enough groups whose scores vary ({@link DynamicSampler});</li>
 *   <li><b>reward</b>: the configured weighted reward of every completion;</li>
 *   <li><b>log-probs</b>: the frozen reference's (when {@code rl.kl_coef > 0}) and, where needed, the old
 *       policy's, by no-grad forwards; with {@code rl.kl_in_reward} the KL penalty is taken off the rewards;</li>
 *   <li><b>advantages</b> per group, then <b>updates</b> ({@link PolicyUpdate}).</li>
 * </ol>
 * One line per step goes to {@code metrics.jsonl}; checkpoints go to {@code checkpoints/step-N} every
 * {@code train.save_every} steps and after the last step; the final policy goes to {@code final/}.
 *
 * <p><b>Exact resume.</b> A run directory holding checkpoints continues from the newest: weights and AdamW state
 * are restored, the data cursor comes from {@code trainer_state.json}, and every random draw (data order,
 * sampling, mini-batch order) is derived from (seed, step), so the resumed steps are those the uninterrupted run
 * would have made. The reference model is the starting policy, reloaded by the caller's supplier; with LoRA
 * ({@code lora.enabled}) it is the policy with its adapters switched off, so no second copy is loaded, and the
 * checkpoints and {@code final/} hold the adapter in PEFT's layout.
 *
 * <p><b>Learning rate.</b> The schedule advances once per step (as verl's scheduler does), however many optimiser
 * updates the step makes.
 */
public final class GrpoTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(GrpoTrainer.class);

    /**
     * What a call to {@link #train()} did.
     *
     * @param startStep the step it resumed from (0 for a fresh run)
     * @param lastStep the last step done
     * @param totalSteps the steps the configuration asks for
     * @param finalDir the saved final policy
     * @param lastMetrics the metrics line of the last step
     */
    public record Result(long startStep, long lastStep, long totalSteps, Path finalDir, Map<String, Object> lastMetrics) {
    }

    /** Told after each step (its metrics line is written, its checkpoint saved if one was due). */
    @FunctionalInterface
    public interface StepListener {
        void onStep(long step, Map<String, Object> metrics);
    }

    private final GrpoConfig config;
    private final VisionLanguageModel policy;
    private final Function<Sample, Prompt> prompts;
    private final TokenDecoder decoder;
    private final Set<Long> stopTokenIds;
    private final long padId;
    private final Reward reward;
    private final List<Sample> samples;
    private final Path runDir;
    private final Supplier<VisionLanguageModel> referenceLoader;
    private final AtomicFiles.FolderWriter checkpointFiles;
    private final ConfigLoader.Resolved<GrpoConfig> resolved;
    private final Map<String, Object> provenance;
    private final boolean progress;
    private final StepListener listener;
    private final NDManager root;
    private final Path baseModel;
    private boolean referenceLoaded;
    /** What the run trains (set by {@link #train()}): the policy's weights or LoRA adapters on it. */
    private TrainableWeights weights;

    private GrpoTrainer(Builder b) {
        this.config = b.config;
        this.policy = b.policy;
        this.prompts = b.prompts;
        this.decoder = b.decoder;
        this.stopTokenIds = Set.copyOf(b.stopTokenIds);
        this.padId = b.padId != null ? b.padId : java.util.Collections.min(b.stopTokenIds);
        this.reward = b.reward;
        this.samples = List.copyOf(b.samples);
        this.runDir = b.runDir;
        this.referenceLoader = b.referenceLoader;
        this.checkpointFiles = b.checkpointFiles;
        this.resolved = b.resolved;
        this.provenance = b.provenance;
        this.progress = b.progress;
        this.listener = b.listener;
        this.root = b.manager;
        this.baseModel = b.baseModel;
    }

    public static Builder builder() {
        return new Builder();
    }

    public GrpoConfig config() {
        return config;
    }

    /** Whether a reference model was loaded (only when {@code rl.kl_coef > 0}). */
    public boolean referenceLoaded() {
        return referenceLoaded;
    }

    /**
     * Trains up to the configured number of steps, continuing from the newest checkpoint of the run directory
     * when there is one.
     */
    public Result train() {
        TrainConfig train = config.train();
        RlOptions rl = config.rl();
        long totalSteps = train.totalSteps(samples.size());
        CheckpointManager checkpoints = new CheckpointManager(runDir, train.keepLast());
        Optional<Checkpoint> resumeFrom = checkpoints.latest();

        train.applyFreezing(policy.parameters());
        weights = TrainableWeights.of(policy, config.lora(), baseModel, train.seed());
        long[] scheduleStep = {0};
        LrSchedule base = train.schedule(totalSteps);
        LrSchedule perStep = update -> base.lr(scheduleStep[0]);
        VisionLanguageModel reference = null;
        try (ParameterUpdater updater = new ParameterUpdater(weights.parameters(), train.adamW(), perStep,
                train.maxGradNorm())) {
            TrainState state = TrainState.start(train.seed());
            if (resumeFrom.isPresent()) {
                state = resumeFrom.get().restore(weights.parameters(), updater);
                if (state.seed() != train.seed()) {
                    throw new IllegalArgumentException(resumeFrom.get().dir() + ": checkpoint was made with seed "
                            + state.seed() + " but train.seed is " + train.seed() + "; resuming would not be exact");
                }
                Object updates = state.extra().get("optimizer_updates");
                updater.resumeAt(updates instanceof Number n ? n.longValue() : state.globalStep());
                if (java.nio.file.Files.exists(runDir.resolve(RunInfo.FILE))) {
                    RunInfo.recordResume(runDir, state.globalStep());
                }
                LOG.info("resuming {} from {}", runDir, resumeFrom.get().dir());
            } else if (resolved != null) {
                RunInfo.write(runDir, rl.algorithm(), resolved, provenance);
            }
            if (rl.usesReference() && weights.lora().isEmpty()) {
                reference = Objects.requireNonNull(referenceLoader,
                        "rl.kl_coef > 0 needs a reference model (optReference)").get();
                for (NDArray p : reference.parameters().values()) {
                    p.setRequiresGradient(false);
                }
                referenceLoaded = true;
            }
            long start = state.globalStep();
            if (start >= totalSteps) {
                LOG.info("{}: already at step {} of {}", runDir, start, totalSteps);
            }
            DataOrder order = new DataOrder(samples.size(), train.seed(), train.shuffle());
            PromptSource prompts = new PromptSource(samples, this.prompts, order, state.dataPosition(),
                    rl.maxPromptLength());
            RolloutCollector collector = new RolloutCollector(policy, decoder, reward, rl, stopTokenIds);
            DynamicSampler sampler = new DynamicSampler(rl.dynamicSampling(), rl.dynamicSamplingMetric(),
                    train.batchSize(), rl.maxGenerationRounds());
            PolicyUpdate update = new PolicyUpdate(policy, rl, padId);
            Map<String, Object> last = Map.of();
            try (MetricsLog metrics = MetricsLog.open(runDir.resolve("metrics.jsonl"), start);
                 Progress.Task bar = progress ? Progress.bar(rl.algorithm(), totalSteps, "step") : null) {
                if (bar != null) {
                    bar.stepTo(start);
                }
                for (long step = start + 1; step <= totalSteps; step++) {
                    scheduleStep[0] = step - 1;
                    last = step(step, prompts, collector, sampler, update, updater, reference);
                    metrics.append(step, last);
                    state = state.at(step, prompts.position()).withExtra("optimizer_updates", updater.globalStep());
                    if (CheckpointManager.due(step, train.saveEvery()) || step == totalSteps) {
                        weights.save(checkpoints, state, updater.optimizer(), checkpointFiles);
                    }
                    if (listener != null) {
                        listener.onStep(step, last);
                    }
                    if (bar != null) {
                        bar.step();
                        bar.setExtraMessage(String.format(" reward %.3f", (Double) last.get("reward")));
                    }
                }
            }
            Path finalDir = runDir.resolve("final");
            weights.writeFinal(finalDir, checkpointFiles);
            return new Result(start, Math.max(start, totalSteps), totalSteps, finalDir, last);
        } finally {
            if (reference != null) {
                reference.close();
            }
        }
    }

    /** One rollout-reward-update step; returns its metrics. */
    private Map<String, Object> step(long step, PromptSource prompts, RolloutCollector collector,
                                     DynamicSampler sampler, PolicyUpdate update, ParameterUpdater updater,
                                     VisionLanguageModel reference) {
        RlOptions rl = config.rl();
        long seed = config.train().seed();
        long t0 = System.nanoTime();
        collector.reset();
        long roundSeed = StepRandom.derive(seed, step, "rollout");
        DynamicSampler.Result sampled = sampler.collect(round -> collector.collect(
                prompts.next(config.train().batchSize()), StepRandom.derive(roundSeed, round), root));
        RolloutBatch batch = new RolloutBatch(sampled.kept(), rl.groupSize());

        long t1 = System.nanoTime();
        double klPenalty = Double.NaN;
        double rolloutKl = Double.NaN;
        if (rl.oldLogp() == RlOptions.OldLogProbs.GENERATION) {
            batch.setOldLogProbs(batch.samplerLogProbs());
        }
        boolean hasReference = reference != null || rl.usesReference();
        if (hasReference && !batch.isEmpty()) {
            // with LoRA the reference is the base: the same model with its adapters off (as TRL does with PEFT)
            batch.setRefLogProbs(reference != null ? PolicyLogProbs.noGrad(reference, batch, rl.temperature(),
                    rl.microBatchSize(), padId, root) : weights.onBase(() -> PolicyLogProbs.noGrad(policy, batch,
                    rl.temperature(), rl.microBatchSize(), padId, root)));
            if (rl.klInReward()) {
                if (batch.oldLogProbs() == null) {
                    batch.setOldLogProbs(PolicyLogProbs.noGrad(policy, batch, rl.temperature(), rl.microBatchSize(),
                            padId, root));
                }
                double[] penalty = new double[batch.size()];
                double klSum = 0;
                long tokens = 0;
                for (int i = 0; i < batch.size(); i++) {
                    float[] old = batch.oldLogProbs()[i];
                    float[] ref = batch.refLogProbs()[i];
                    double sum = 0;
                    for (int j = 0; j < old.length; j++) {
                        sum += rl.klEstimator().perToken(old[j], ref[j]);
                    }
                    penalty[i] = rl.klCoef() * sum;
                    klSum += sum;
                    tokens += old.length;
                }
                batch.subtractFromRewards(penalty);
                klPenalty = mean(penalty);
                rolloutKl = klSum / Math.max(1, tokens);
            }
        }
        batch.computeAdvantages(rl.advantages());
        long t2 = System.nanoTime();
        StepRandom.seedEngine(seed, step, "dropout"); // LoRA dropout repeats after a resume
        PolicyUpdate.Stats stats = update.run(batch, updater, StepRandom.derive(seed, step, "minibatch"), root);
        long t3 = System.nanoTime();

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", prompts.epoch());
        m.put("lr", stats.lr());
        rolloutMetrics(collector.history(), m);
        m.put("groups_generated", sampled.groupsGenerated());
        m.put("groups_kept", sampled.kept().size());
        m.put("groups_with_variance_share", sampled.varianceShare());
        m.put("generation_rounds", sampled.rounds());
        m.put("prompts_skipped", prompts.skipped());
        m.put("advantage_abs_mean", batch.isEmpty() ? 0.0 : meanAbs(batch.advantages()));
        m.put("loss", stats.loss());
        m.put("pg_loss", stats.pgLoss());
        m.put("kl_loss", stats.klLoss());
        m.put("clip_fraction", stats.clipFraction());
        m.put("clip_fraction_low", stats.clipFractionLow());
        m.put("clip_fraction_high", stats.clipFractionHigh());
        m.put("dual_clip_fraction", stats.dualClipFraction());
        m.put("approx_kl", stats.approxKl());
        m.put("ratio_mean", stats.ratioMean());
        if (hasReference) {
            m.put("kl", rl.klInReward() ? rolloutKl : stats.klToReference());
            if (rl.klInReward()) {
                m.put("kl_penalty", klPenalty);
            }
        }
        m.put("entropy", stats.entropy());
        m.put("grad_norm", stats.gradNorm());
        m.put("updates", stats.updates());
        m.put("loss_tokens", stats.lossTokens());
        double rolloutS = collector.generationNanos() / 1e9;
        double rewardS = collector.rewardNanos() / 1e9;
        m.put("time/rollout_s", rolloutS);
        m.put("time/reward_s", rewardS);
        m.put("time/logprob_s", (t2 - t1) / 1e9);
        m.put("time/update_s", (t3 - t2) / 1e9);
        m.put("time/step_s", (t3 - t0) / 1e9);
        return m;
    }

    /**
     * Reward and length metrics over every completion sampled in the step (all rounds, kept or not), so dynamic
     * sampling does not bias them; the accuracy also per sample subset ({@code accuracy/diagnosis}, ...).
     */
    static void rolloutMetrics(List<RolloutGroup> groups, Map<String, Object> m) {
        List<Double> totals = new ArrayList<>();
        Map<String, double[]> parts = new TreeMap<>();
        double lengthSum = 0;
        int lengthMax = 0;
        int lengthMin = Integer.MAX_VALUE;
        int truncated = 0;
        double promptLength = 0;
        int n = 0;
        Map<String, double[]> subsetAccuracy = new TreeMap<>();
        for (RolloutGroup g : groups) {
            String subset = g.sample().subset();
            for (int i = 0; i < g.size(); i++) {
                RewardResult r = g.rewards().get(i);
                if (subset != null && !subset.isBlank() && r.parts().containsKey("accuracy")) {
                    double[] acc = subsetAccuracy.computeIfAbsent(subset, x -> new double[2]);
                    acc[0] += r.part("accuracy");
                    acc[1]++;
                }
                GenerationResult c = g.completions().get(i);
                totals.add(r.value());
                r.parts().forEach((k, v) -> {
                    double[] acc = parts.computeIfAbsent(k, x -> new double[2]);
                    acc[0] += v;
                    acc[1]++;
                });
                int len = c.tokenIds().length;
                lengthSum += len;
                lengthMax = Math.max(lengthMax, len);
                lengthMin = Math.min(lengthMin, len);
                truncated += c.finishReason() == org.pathoreason.generate.FinishReason.LENGTH ? 1 : 0;
                promptLength += g.prompt().tokenIds().length;
                n++;
            }
        }
        double mean = totals.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        double var = totals.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / Math.max(1, totals.size());
        m.put("reward", mean);
        m.put("reward_std", Math.sqrt(var));
        parts.forEach((k, acc) -> m.put("reward/" + k, acc[0] / acc[1]));
        m.put("accuracy", parts.containsKey("accuracy") ? parts.get("accuracy")[0] / parts.get("accuracy")[1]
                : Double.NaN);
        m.put("format_rate", parts.containsKey("format") ? parts.get("format")[0] / parts.get("format")[1]
                : Double.NaN);
        // per kind of question: RL can raise one kind and lower another while the mean stays flat
        subsetAccuracy.forEach((k, acc) -> m.put("accuracy/" + k, acc[0] / acc[1]));
        m.put("response_length", n == 0 ? Double.NaN : lengthSum / n);
        m.put("response_length_max", n == 0 ? 0 : lengthMax);
        m.put("response_length_min", n == 0 ? 0 : lengthMin);
        m.put("truncated_fraction", n == 0 ? Double.NaN : (double) truncated / n);
        m.put("prompt_length", n == 0 ? Double.NaN : promptLength / n);
        m.put("completions", n);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    private static double meanAbs(double[] v) {
        double s = 0;
        for (double x : v) {
            s += Math.abs(x);
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /**
     * Settings: {@code setX} are required, {@code optX} optional. The trainer does not own the policy, the
     * manager or the reward: the caller closes them.
     */
    public static final class Builder {
        private GrpoConfig config;
        private VisionLanguageModel policy;
        private Function<Sample, Prompt> prompts;
        private TokenDecoder decoder;
        private Set<Long> stopTokenIds;
        private Long padId;
        private Reward reward;
        private List<Sample> samples;
        private Path runDir;
        private NDManager manager;
        private Supplier<VisionLanguageModel> referenceLoader;
        private Path baseModel;
        private AtomicFiles.FolderWriter checkpointFiles;
        private ConfigLoader.Resolved<GrpoConfig> resolved;
        private Map<String, Object> provenance = Map.of();
        private boolean progress = true;
        private StepListener listener;

        private Builder() {
        }

        public Builder setConfig(GrpoConfig config) {
            this.config = config;
            return this;
        }

        /** The policy to train, in place. */
        public Builder setPolicy(VisionLanguageModel policy) {
            this.policy = policy;
            return this;
        }

        public Builder setPrompts(Function<Sample, Prompt> encoder) {
            this.prompts = encoder;
            return this;
        }

        /** Completion ids to text for the rewards (special tokens left out, reasoning tags kept). */
        public Builder setTokenDecoder(TokenDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /** Tokens that end a completion ({@code <|im_end|>}, eos); at least one. */
        public Builder setStopTokenIds(Set<Long> ids) {
            this.stopTokenIds = ids;
            return this;
        }

        public Builder setReward(Reward reward) {
            this.reward = reward;
            return this;
        }

        public Builder setSamples(List<Sample> samples) {
            this.samples = samples;
            return this;
        }

        /** The run folder: {@code run.json}, {@code metrics.jsonl}, {@code checkpoints/}, {@code final/}. */
        public Builder setRunDir(Path dir) {
            this.runDir = dir;
            return this;
        }

        /** The manager step scopes are opened under. */
        public Builder setManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        /** The id written into padding columns (default: the first stop token). */
        public Builder optPadId(long id) {
            this.padId = id;
            return this;
        }

        /**
         * Loads the frozen reference policy (normally the starting checkpoint once more). Called once, and only when
         * {@code rl.kl_coef > 0}; with 0 no reference is ever held in memory. The trainer closes what it returns.
         */
        public Builder optReference(Supplier<VisionLanguageModel> loader) {
            this.referenceLoader = loader;
            return this;
        }

        /**
         * The starting checkpoint's folder, recorded as {@code base_model_name_or_path} of the adapters a LoRA run
         * ({@code lora.enabled}) saves.
         */
        public Builder optBaseModel(Path dir) {
            this.baseModel = dir;
            return this;
        }

        /** Writes the rest of each checkpoint and of {@code final/}: config, tokenizer, provenance. */
        public Builder optCheckpointFiles(AtomicFiles.FolderWriter writer) {
            this.checkpointFiles = writer;
            return this;
        }

        /** Writes {@code run.json} for a fresh run from this resolved config and provenance. */
        public Builder optRunInfo(ConfigLoader.Resolved<GrpoConfig> resolved, Map<String, Object> provenance) {
            this.resolved = resolved;
            this.provenance = provenance == null ? Map.of() : Map.copyOf(provenance);
            return this;
        }

        /** Show a progress bar on stderr (default on). */
        public Builder optProgress(boolean on) {
            this.progress = on;
            return this;
        }

        /** Called after every step (evaluation, early stopping, tests). */
        public Builder optStepListener(StepListener l) {
            this.listener = l;
            return this;
        }

        public GrpoTrainer build() {
            if (config == null || policy == null || prompts == null || decoder == null || reward == null
                    || samples == null || runDir == null || manager == null || stopTokenIds == null) {
                throw new IllegalStateException("GrpoTrainer needs setConfig, setPolicy, setPrompts, "
                        + "setTokenDecoder, setStopTokenIds, setReward, setSamples, setRunDir and setManager");
            }
            if (stopTokenIds.isEmpty()) {
                throw new IllegalArgumentException("at least one stop token id is needed (<|im_end|>)");
            }
            if (samples.isEmpty()) {
                throw new IllegalArgumentException("no samples to train on");
            }
            if (config.rl().usesReference() && referenceLoader == null && !config.lora().enabled()) {
                throw new IllegalArgumentException("rl.kl_coef is " + config.rl().klCoef()
                        + " but no reference model loader was given");
            }
            return new GrpoTrainer(this);
        }
    }
}

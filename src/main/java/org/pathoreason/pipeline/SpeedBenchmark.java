package org.pathoreason.pipeline;

import org.pathoreason.engine.GradientRecording;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.MatmulBenchmark;
import org.pathoreason.generate.Generator;
import org.pathoreason.model.Prompt;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLFlops;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.reward.Reward;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.RewardResult;
import org.pathoreason.train.AdamW;
import org.pathoreason.train.LrSchedule;
import org.pathoreason.train.ParameterUpdater;
import org.pathoreason.train.rl.PolicyUpdate;
import org.pathoreason.train.rl.RlOptions;
import org.pathoreason.train.rl.RolloutBatch;
import org.pathoreason.train.rl.RolloutCollector;
import org.pathoreason.train.rl.RolloutGroup;

/**
 * Times the work a user runs a model for, with the project's own training and generation code, on shapes that
 * {@code tools/bench_transformers.py} reproduces in Hugging Face transformers for a side-by-side comparison:
 * <ul>
 *   <li>{@code train}: one SFT step, B rows of prompt + completion with one image each: the completion tokens'
 *       log-probabilities, their mean negated as the loss, backward, global-norm clipping to 1 and AdamW
 *       ({@link ParameterUpdater});</li>
 *   <li>{@code grpo}: one GRPO step for one prompt: G completions sampled at temperature 1
 *       ({@link RolloutCollector}), group-normalised advantages of fixed rewards, one clipped-surrogate update
 *       ({@link PolicyUpdate});</li>
 *   <li>{@code prefill_bN} and {@code decode_bN}: greedy KV-cached generation ({@link Generator}) of N prompts:
 *       the time to the first new token, and the time of the remaining {@code newTokens - 1} steps.</li>
 * </ul>
 * The training measures run once untimed (allocation, kernel choice, AdamW state; one optimiser serves both),
 * generation once at the first batch size; then every measure runs {@code reps} times.
 */
public final class SpeedBenchmark {

    /** Groups of measures. */
    public enum Measure {
        /** the SFT training step */
        TRAIN,
        /** the GRPO step */
        GRPO,
        /** prefill and decode at every batch size */
        DECODE
    }

    /**
     * Shapes and repetitions.
     *
     * @param promptTokens text tokens per prompt, after the image's pad run
     * @param newTokens completion tokens (training) and generated tokens (GRPO, decoding)
     * @param imagePatchesPerSide the side, in patches, of each prompt's image (8: 112 x 112 pixels, 16 tokens)
     * @param trainBatch rows of the SFT step
     * @param groupSize completions per prompt in the GRPO step
     * @param batchSizes decoding batch sizes
     */
    public record Options(int promptTokens, int newTokens, int imagePatchesPerSide, int trainBatch, int groupSize,
                          List<Integer> batchSizes, int reps, Set<Measure> measures, long seed) {

        public Options {
            batchSizes = List.copyOf(batchSizes);
            measures = measures.isEmpty() ? EnumSet.noneOf(Measure.class) : EnumSet.copyOf(measures);
            if (promptTokens < 1 || newTokens < 2 || imagePatchesPerSide < 2 || imagePatchesPerSide % 2 != 0
                    || trainBatch < 1 || groupSize < 2 || reps < 1) {
                throw new IllegalArgumentException("benchmark needs prompt tokens >= 1, new tokens >= 2, an even "
                        + "image side >= 2, train batch >= 1, group size >= 2 and reps >= 1");
            }
        }

        /** The shapes of the measurements: 82-token prompts with a 112-pixel image, 32 new tokens. */
        public static Options defaults() {
            return new Options(64, 32, 8, 16, 4, List.of(1, 8, 32), 3, EnumSet.allOf(Measure.class), 0);
        }
    }

    /**
     * What was measured.
     *
     * @param seconds per measure, the wall time of each repetition
     * @param cpuSeconds per measure, the CPU time of the measuring thread in each repetition: with one PyTorch
     *     thread all the work runs on it, so this is the time a quiet machine would show, less exposed to a
     *     shared machine's load than the wall time
     * @param flops per measure, the matrix-product FLOPs of the work it needs ({@link Qwen2VLFlops})
     * @param gemmGflops the engine's fp32 GEMM rate (2048 x 2048) in this process: the floor's yardstick
     * @param parts the wall time of each repetition of the training steps' parts, by measure and part: {@code train}
     *     {@code forward}, {@code backward} and {@code update} (clipping and AdamW), {@code grpo} {@code rollout}
     *     (generation of the G completions) and {@code update} (log-probs, loss, backward, AdamW); empty without
     *     the measure
     */
    public record Report(long parameters, int promptLength, Map<String, double[]> seconds,
                         Map<String, double[]> cpuSeconds, Map<String, Double> flops, double gemmGflops,
                         Map<String, Map<String, double[]>> parts) {
    }

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private final Qwen2VLModel model;
    private final Qwen2VLConfig config;
    private final Options options;
    private final NDManager root;
    private final Consumer<String> progress;
    private final Random random;
    private final long textIds;
    private final Map<String, Map<String, double[]>> parts = new LinkedHashMap<>();

    private SpeedBenchmark(Qwen2VLModel model, Options options, NDManager root, Consumer<String> progress) {
        this.model = model;
        this.config = model.config();
        this.options = options;
        this.root = root;
        this.progress = progress;
        this.random = new Random(options.seed());
        Qwen2VLConfig.SpecialTokenIds t = config.tokens();
        // ordinary ids lie below the special ones in the tokenizers PathoReason trains and in Qwen's
        this.textIds = Collections.min(List.of(t.imageTokenId(), t.videoTokenId(), t.visionStartTokenId(),
                t.visionEndTokenId(), t.bosTokenId(), t.eosTokenId()));
    }

    /** Runs the measures; {@code progress} hears one line per measure. */
    public static Report run(Qwen2VLModel model, Options options, NDManager root, Consumer<String> progress) {
        return new SpeedBenchmark(model, options, root, progress).run();
    }

    private Report run() {
        Map<String, double[][]> times = new LinkedHashMap<>();
        Map<String, Double> flops = new LinkedHashMap<>();
        int promptLength = promptLength();
        // one optimiser for both training measures, as one would train; its state is allocated in the warm-up
        ParameterUpdater updater = options.measures().contains(Measure.TRAIN)
                || options.measures().contains(Measure.GRPO) ? updater() : null;
        try {
            train(times, flops, updater);
        } finally {
            if (updater != null) {
                updater.close();
            }
        }
        if (options.measures().contains(Measure.DECODE)) {
            progress.accept("generate: warm-up at batch " + options.batchSizes().get(0));
            generation(prompts(options.batchSizes().get(0)), SamplingOptions.greedy(Math.min(4,
                    options.newTokens())));
            for (int b : options.batchSizes()) {
                progress.accept("generate: batch " + b);
                double[][] t = generation(b);
                times.put("prefill_b" + b, new double[][] {t[0], t[2]});
                times.put("decode_b" + b, new double[][] {t[1], t[3]});
                flops.put("prefill_b" + b, Qwen2VLFlops.forward(config, b, promptLength, 1,
                        Collections.nCopies(b, grid())));
                flops.put("decode_b" + b, Qwen2VLFlops.decode(config, b, promptLength, options.newTokens() - 1));
            }
        }
        double gemm = MatmulBenchmark.gflops(2048, 5);
        Map<String, double[]> seconds = new LinkedHashMap<>();
        Map<String, double[]> cpu = new LinkedHashMap<>();
        times.forEach((k, v) -> {
            seconds.put(k, v[0]);
            cpu.put(k, v[1]);
        });
        return new Report(config.parameterCount(), promptLength, seconds, cpu, flops, gemm, parts);
    }

    private void train(Map<String, double[][]> seconds, Map<String, Double> flops, ParameterUpdater updater) {
        int promptLength = promptLength();
        if (options.measures().contains(Measure.TRAIN)) {
            progress.accept("train: batch " + options.trainBatch() + " x " + (promptLength + options.newTokens()));
            seconds.put("train", trainSteps(updater));
            flops.put("train", 3 * Qwen2VLFlops.forward(config, options.trainBatch(), promptLength
                    + options.newTokens(), options.newTokens(), Collections.nCopies(options.trainBatch(), grid())));
        }
        if (options.measures().contains(Measure.GRPO)) {
            progress.accept("grpo: G = " + options.groupSize());
            seconds.put("grpo", grpoSteps(updater));
            int g = options.groupSize();
            List<int[]> grids = Collections.nCopies(g, grid());
            flops.put("grpo", Qwen2VLFlops.forward(config, g, promptLength, 1, grids)
                    + Qwen2VLFlops.decode(config, g, promptLength, options.newTokens() - 1)
                    + 3 * Qwen2VLFlops.forward(config, g, promptLength + options.newTokens(), options.newTokens(),
                    grids));
        }
    }

    private int promptLength() {
        return imageTokens() + 2 + options.promptTokens();
    }

    private int imageTokens() {
        int side = options.imagePatchesPerSide();
        return side * side / config.vision().mergeUnit();
    }

    private int[] grid() {
        return new int[] {1, options.imagePatchesPerSide(), options.imagePatchesPerSide()};
    }

    /** A prompt: vision start, the image's pad run, vision end, then text (and {@code extra} more tokens). */
    private Prompt prompt(int extra) {
        Qwen2VLConfig.SpecialTokenIds t = config.tokens();
        int pads = imageTokens();
        long[] ids = new long[pads + 2 + options.promptTokens() + extra];
        ids[0] = t.visionStartTokenId();
        Arrays.fill(ids, 1, 1 + pads, t.imageTokenId());
        ids[1 + pads] = t.visionEndTokenId();
        for (int i = pads + 2; i < ids.length; i++) {
            ids[i] = random.nextInt((int) textIds);
        }
        int side = options.imagePatchesPerSide();
        float[] patches = new float[side * side * config.vision().patchValues()];
        for (int i = 0; i < patches.length; i++) {
            patches[i] = (float) random.nextGaussian();
        }
        return new Prompt(ids, patches, List.of(grid()));
    }

    private ParameterUpdater updater() {
        return new ParameterUpdater(model.parameters(), AdamW.Settings.defaults(), LrSchedule.constant(1e-5, 0),
                1.0);
    }

    private double[][] trainSteps(ParameterUpdater updater) {
        List<long[]> rows = new ArrayList<>();
        List<float[]> patches = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        for (int b = 0; b < options.trainBatch(); b++) {
            Prompt p = prompt(options.newTokens());
            rows.add(p.tokenIds());
            patches.add(p.pixelPatches());
            grids.addAll(p.imageGrids());
        }
        ModelInput input = ModelInput.padded(rows, 0, false, ModelInput.concatPatches(patches), grids);
        int firstTarget = promptLength();
        // the parts of each timed repetition; the untimed warm-up writes slot -1, dropped
        Map<String, double[]> trainParts = partsOf("train", "forward", "backward", "update");
        int[] rep = {-1};
        return repeat(() -> {
            long t0 = System.nanoTime();
            long t1;
            long t2;
            try (NDManager step = root.newSubManager();
                 GradientCollector gc = GradientRecording.open()) {
                NDArray logProbs = model.tokenLogProbs(input, firstTarget, step);
                t1 = System.nanoTime();
                gc.backward(logProbs.mean().neg());
                t2 = System.nanoTime();
            }
            updater.step();
            long t3 = System.nanoTime();
            if (rep[0] >= 0) {
                trainParts.get("forward")[rep[0]] = (t1 - t0) / 1e9;
                trainParts.get("backward")[rep[0]] = (t2 - t1) / 1e9;
                trainParts.get("update")[rep[0]] = (t3 - t2) / 1e9;
            }
            rep[0]++;
        });
    }

    private double[][] grpoSteps(ParameterUpdater updater) {
        int g = options.groupSize();
        RlOptions rl = grpoWithoutReference(g, options.newTokens());
        RolloutCollector.PromptItem item = new RolloutCollector.PromptItem(benchSample(), prompt(0));
        // the rewards a verifier might give G completions: fixed, so every step does the same work
        Reward fixed = new Reward() {
            @Override
            public String name() {
                return "fixed";
            }

            @Override
            public RewardResult score(RewardInput input) {
                return scoreAll(List.of(input)).get(0);
            }

            @Override
            public List<RewardResult> scoreAll(List<RewardInput> inputs) {
                double[] pattern = {1.0, 0.0, 0.5, 0.25};
                List<RewardResult> out = new ArrayList<>();
                for (int i = 0; i < inputs.size(); i++) {
                    out.add(RewardResult.of(name(), pattern[i % pattern.length]));
                }
                return out;
            }
        };
        RolloutCollector collector = new RolloutCollector(model, ids -> "", fixed, rl, Set.of());
        PolicyUpdate update = new PolicyUpdate(model, rl, 0);
        long[] seed = {options.seed()};
        Map<String, double[]> grpoParts = partsOf("grpo", "rollout", "update");
        int[] rep = {-1};
        return repeat(() -> {
            long t0 = System.nanoTime();
            collector.reset();
            List<RolloutGroup> groups = collector.collect(List.of(item), seed[0]++, root);
            long t1 = System.nanoTime();
            RolloutBatch batch = new RolloutBatch(groups, g);
            batch.computeAdvantages(rl.advantages());
            update.run(batch, updater, seed[0], root);
            long t2 = System.nanoTime();
            if (rep[0] >= 0) {
                grpoParts.get("rollout")[rep[0]] = (t1 - t0) / 1e9;
                grpoParts.get("update")[rep[0]] = (t2 - t1) / 1e9;
            }
            rep[0]++;
        });
    }

    /** Slots for the timed repetitions of a measure's parts (the untimed warm-up writes none). */
    private Map<String, double[]> partsOf(String measure, String... names) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (String name : names) {
            m.put(name, new double[options.reps()]);
        }
        parts.put(measure, m);
        return m;
    }

    private List<Prompt> prompts(int batch) {
        List<Prompt> prompts = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            prompts.add(prompt(0));
        }
        return prompts;
    }

    private void generation(List<Prompt> prompts, SamplingOptions options) {
        new Generator(model, ids -> "").generate(prompts, options, null, root);
    }

    /**
     * Per repetition, the seconds to the first token and the seconds of the remaining decoding steps, wall then
     * CPU ({prefill, decode, prefill CPU, decode CPU}). Only the
     * first batch size gets a warm-up: the code paths are then warm, and a larger batch's buffers are new
     * allocations in every repetition anyway.
     */
    private double[][] generation(int batch) {
        List<Prompt> prompts = prompts(batch);
        Generator generator = new Generator(model, ids -> "");
        long[] firstToken = new long[1];
        SamplingOptions greedy = SamplingOptions.greedy(options.newTokens());
        double[][] out = new double[4][options.reps()];
        long[] firstCpu = new long[1];
        for (int r = 0; r < options.reps(); r++) {
            firstToken[0] = 0;
            long c0 = CPU.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            generator.generate(prompts, greedy, (row, token, delta) -> {
                if (firstToken[0] == 0) {
                    firstToken[0] = System.nanoTime();
                    firstCpu[0] = CPU.getCurrentThreadCpuTime();
                }
            }, root);
            long t1 = System.nanoTime();
            long c1 = CPU.getCurrentThreadCpuTime();
            out[0][r] = (firstToken[0] - t0) / 1e9;
            out[1][r] = (t1 - firstToken[0]) / 1e9;
            out[2][r] = (firstCpu[0] - c0) / 1e9;
            out[3][r] = (c1 - firstCpu[0]) / 1e9;
        }
        return out;
    }

    /** One untimed run, then the wall and CPU seconds of each of {@code reps} runs. */
    private double[][] repeat(Runnable body) {
        body.run();
        double[][] out = new double[2][options.reps()];
        for (int r = 0; r < options.reps(); r++) {
            long c0 = CPU.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            body.run();
            out[0][r] = (System.nanoTime() - t0) / 1e9;
            out[1][r] = (CPU.getCurrentThreadCpuTime() - c0) / 1e9;
        }
        return out;
    }

    /** GRPO's defaults with G completions of {@code length} tokens and no reference model (KL coefficient 0). */
    private static RlOptions grpoWithoutReference(int g, int length) {
        RlOptions d = RlOptions.grpo();
        return new RlOptions(d.algorithm(), g, Math.max(g, d.generationBatchSize()), d.maxPromptLength(), length,
                d.temperature(), d.topP(), d.topK(), d.ppoEpochs(), d.miniBatchSize(), g, d.oldLogp(), d.advEps(),
                d.scaleAdvByStd(), d.clipLow(), d.clipHigh(), d.dualClipC(), d.lossAgg(), d.lossNormLength(), 0.0,
                d.klEstimator(), d.klInReward(), d.dynamicSampling(), d.dynamicSamplingMetric(),
                d.maxGenerationRounds(), d.maskTruncated(), d.promptStyle());
    }

    /** The sample the GRPO prompt stands for (its text is not used: the prompt is made of random ids). */
    private static Sample benchSample() {
        return new Sample("bench-0", List.of(), "", List.of(), "", null, null, null, List.of(), org.pathoreason.data.Task.OPEN, "bench",
                Map.of());
    }
}

package org.pathoreason.generate;

import org.pathoreason.engine.GradientRecording;

import org.pathoreason.model.Prompt;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.pathoreason.engine.MatmulBenchmark;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLFlops;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;

/**
 * Measures generation and training speed of a random model: prefill and decode tokens per second at several
 * batch sizes, with the KV cache and without it (every step recomputes the whole forward), and the time and
 * GFLOP/s of one training step (forward and backward of the per-token log-probabilities).
 */
public final class GenerationBenchmark {

    /**
     * What to measure.
     *
     * @param config the model (its vocabulary sets the random prompts' range)
     * @param promptTokens text tokens per prompt (an image's pad run comes on top)
     * @param newTokens decoding steps timed
     * @param batchSizes batch sizes to time
     * @param imagePatchesPerSide side in patches of one image per prompt (0: text only)
     * @param trainBatch rows of the training step
     * @param seed seed of weights and prompts
     */
    public record Options(Qwen2VLConfig config, int promptTokens, int newTokens, int[] batchSizes,
                          int imagePatchesPerSide, int trainBatch, long seed) {
    }

    /** Throughput at one batch size, with or without the cache. */
    public record Row(int batch, boolean cache, int promptLength, double prefillSeconds, double decodeSeconds,
                      int newTokens) {

        public double prefillTokensPerSecond() {
            return batch * promptLength / prefillSeconds;
        }

        public double decodeTokensPerSecond() {
            return batch * newTokens / decodeSeconds;
        }
    }

    /** One training step: forward plus backward. */
    public record TrainStep(int batch, int length, double seconds, double gflop) {

        public double gflopPerSecond() {
            return gflop / seconds;
        }
    }

    /** All figures. */
    public record Report(long parameters, List<Row> rows, TrainStep train, double matmulGflopPerSecond) {
    }

    private GenerationBenchmark() {
    }

    public static Report run(Options o, NDManager root) {
        try (Qwen2VLModel model = Qwen2VLModel.random(o.config(), o.seed(), root)) {
            List<Row> rows = new ArrayList<>();
            for (int batch : o.batchSizes()) {
                List<Prompt> prompts = prompts(o, batch);
                // warm-up: the first calls of each shape pay for kernel selection and allocation
                time(model, prompts, Math.min(2, o.newTokens()), true, root);
                rows.add(time(model, prompts, o.newTokens(), true, root));
                rows.add(time(model, prompts, o.newTokens(), false, root));
            }
            TrainStep train = trainStep(model, o, root);
            double matmul = MatmulBenchmark.gflops(1024, 3);
            return new Report(o.config().parameterCount(), rows, train, matmul);
        }
    }

    private static List<Prompt> prompts(Options o, int batch) {
        Random r = new Random(o.seed() + batch);
        Set<Long> reserved = Set.of((long) o.config().tokens().imageTokenId(),
                (long) o.config().tokens().videoTokenId(), (long) o.config().tokens().visionStartTokenId());
        int side = o.imagePatchesPerSide();
        List<Prompt> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            long[] text = new long[o.promptTokens()];
            for (int i = 0; i < text.length; i++) {
                long id;
                do {
                    id = r.nextInt(o.config().text().vocabSize());
                } while (reserved.contains(id));
                text[i] = id;
            }
            if (side == 0) {
                out.add(Prompt.text(text));
                continue;
            }
            int[] grid = {1, side, side};
            int pads = side * side / o.config().vision().mergeUnit();
            long[] ids = new long[text.length + pads + 2];
            ids[0] = o.config().tokens().visionStartTokenId();
            Arrays.fill(ids, 1, 1 + pads, o.config().tokens().imageTokenId());
            ids[1 + pads] = o.config().tokens().visionEndTokenId();
            System.arraycopy(text, 0, ids, pads + 2, text.length);
            float[] patches = new float[side * side * o.config().vision().patchValues()];
            for (int i = 0; i < patches.length; i++) {
                patches[i] = (float) r.nextGaussian();
            }
            out.add(new Prompt(ids, patches, List.of(grid)));
        }
        return out;
    }

    /** Greedy decoding as {@link Generator} does it, with prefill and decode timed apart. */
    private static Row time(Qwen2VLModel model, List<Prompt> prompts, int steps, boolean useCache, NDManager root) {
        ModelInput prompt = ModelInput.leftPadded(prompts, 0);
        int batch = prompts.size();
        Sampler sampler = new Sampler(SamplingOptions.greedy(steps), model.reservedTokenIds());
        boolean[] active = new boolean[batch];
        Arrays.fill(active, true);
        try (NDManager scope = root.newSubManager()) {
            KvCache cache = useCache ? model.newCache(batch, prompt.length() + steps, scope) : null;
            long t0 = System.nanoTime();
            long[] next;
            try (NDManager step = scope.newSubManager()) {
                NDArray logits = useCache ? model.prefill(prompt, cache, step) : model.lastLogits(prompt, step);
                next = sampler.choose(logits, active).tokens();
            }
            long t1 = System.nanoTime();
            long[][] seq = prompt.inputIds();
            int[][] mask = prompt.attentionMask();
            for (int s = 1; s < steps; s++) {
                try (NDManager step = scope.newSubManager()) {
                    NDArray logits;
                    if (useCache) {
                        logits = model.decode(next, cache, step);
                    } else {
                        seq = append(seq, next);
                        mask = appendOnes(mask);
                        logits = model.lastLogits(new ModelInput(seq, mask, prompt.pixelPatches(), prompt.imageGrids()),
                                step);
                    }
                    next = sampler.choose(logits, active).tokens();
                }
            }
            long t2 = System.nanoTime();
            // the first token comes from the prefill; steps - 1 decoding steps follow
            return new Row(batch, useCache, prompt.length(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, Math.max(1, steps - 1));
        }
    }

    private static TrainStep trainStep(Qwen2VLModel model, Options o, NDManager root) {
        List<Prompt> prompts = prompts(o, o.trainBatch());
        List<long[]> ids = new ArrayList<>();
        List<float[]> patches = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        Random r = new Random(o.seed());
        int promptLength = prompts.get(0).tokenIds().length;
        for (Prompt p : prompts) {
            long[] full = Arrays.copyOf(p.tokenIds(), p.tokenIds().length + o.newTokens());
            for (int i = p.tokenIds().length; i < full.length; i++) {
                full[i] = r.nextInt(20);
            }
            ids.add(full);
            patches.add(p.pixelPatches());
            grids.addAll(p.imageGrids());
        }
        ModelInput input = ModelInput.padded(ids, 0, false, ModelInput.concatPatches(patches), grids);
        double best = Double.MAX_VALUE;
        for (int repeat = 0; repeat < 3; repeat++) {
            model.zeroGradients();
            long t0 = System.nanoTime();
            try (NDManager step = root.newSubManager();
                 GradientCollector gc = GradientRecording.open()) {
                NDArray lp = model.tokenLogProbs(input, promptLength, step);
                gc.backward(lp.mean().neg());
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        model.zeroGradients();
        int length = input.length();
        double flops = 3 * Qwen2VLFlops.forward(o.config(), o.trainBatch(), length, length - promptLength, grids);
        return new TrainStep(o.trainBatch(), length, best, flops / 1e9);
    }

    private static long[][] append(long[][] seq, long[] column) {
        long[][] out = new long[seq.length][];
        for (int b = 0; b < seq.length; b++) {
            out[b] = Arrays.copyOf(seq[b], seq[b].length + 1);
            out[b][seq[b].length] = column[b];
        }
        return out;
    }

    private static int[][] appendOnes(int[][] mask) {
        int[][] out = new int[mask.length][];
        for (int b = 0; b < mask.length; b++) {
            out[b] = Arrays.copyOf(mask[b], mask[b].length + 1);
            out[b][mask[b].length] = 1;
        }
        return out;
    }
}

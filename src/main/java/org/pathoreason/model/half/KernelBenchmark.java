package org.pathoreason.model.half;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.HalfFloats;

/**
 * Weights streamed per second by the products {@code y = x W^T} of the kernels, next to DJL's float32 matmul on the
 * same shapes and the machine's measured read bandwidth (the floor a product that reads its weights once cannot
 * beat).
 */
public final class KernelBenchmark {

    /** Which code ran a product. */
    public enum Route {
        /** {@code VectorKernels}, BF16 weights. */
        VECTOR,
        /** {@link ScalarKernels}, BF16 weights. */
        FALLBACK,
        /** DJL's (PyTorch's) float32 linear. */
        DJL
    }

    /** One measured product. */
    public record Row(Route route, DType dtype, int rows, int out, int in, double millis, double weightGBps) {
    }

    /** Everything measured: the bandwidth floor in GB/s and the products. */
    public record Result(double bandwidthGBps, List<Row> rows) {
    }

    /** Bytes of weight copies cycled through, far more than a last-level cache. */
    static final long COLD_BYTES = 512L << 20;

    private KernelBenchmark() {
    }

    /**
     * @param shapes    {@code {out, in}} pairs
     * @param batches   activation rows per product (1 = decode)
     * @param threads   kernel threads
     * @param seconds   time spent on each measurement (after a warm-up)
     * @param withScalar also time the plain Java fallback
     */
    public static Result run(int[][] shapes, int[] batches, int threads, double seconds, boolean withScalar) {
        double bandwidth = HalfKernels.create(HalfKernels.Choice.AUTO, threads).readBandwidth(512L << 20, 5) / 1e9;
        List<HalfKernels> kernels = new ArrayList<>();
        if (HalfKernels.vectorUnavailableReason() == null) {
            kernels.add(HalfKernels.create(HalfKernels.Choice.VECTOR, threads));
        }
        if (withScalar || kernels.isEmpty()) {
            kernels.add(HalfKernels.create(HalfKernels.Choice.SCALAR, threads));
        }
        List<Row> out = new ArrayList<>();
        Random rnd = new Random(11);
        for (int[] s : shapes) {
            int o = s[0];
            int in = s[1];
            float[] w = new float[o * in];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian() * 0.02f;
            }
            ByteBuffer bf16 = ByteBuffer.allocate(w.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : w) {
                bf16.putShort(HalfFloats.floatToBf16(v));
            }
            bf16.flip();
            for (int rows : batches) {
                float[] x = new float[rows * in];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextGaussian();
                }
                float[] y = new float[rows * o];
                // enough copies of the weights to overflow the caches: a model's weights are read from memory
                int copies = (int) Math.max(1, Math.min(64, COLD_BYTES / (2L * o * in)));
                for (HalfKernels k : kernels) {
                    WeightMatrix[] m = new WeightMatrix[copies];
                    for (int c = 0; c < copies; c++) {
                        m[c] = k.copyOf("w", DType.BF16, o, in, bf16);
                    }
                    int[] next = {0};
                    double ms = time(() -> k.matmul(x, rows, m[next[0]++ % copies], y), seconds);
                    Route route = k instanceof ScalarKernels ? Route.FALLBACK : Route.VECTOR;
                    out.add(new Row(route, DType.BF16, rows, o, in, ms, m[0].byteSize() / (ms / 1e3) / 1e9));
                }
                try (NDManager manager = Engines.newManager()) {
                    // as the model's linear layers call it (torch.nn.functional.linear)
                    int f32Copies = Math.max(1, copies / 2);
                    NDArray[] wa = new NDArray[f32Copies];
                    for (int c = 0; c < f32Copies; c++) {
                        wa[c] = manager.create(w, new Shape(o, in));
                    }
                    NDArray xa = manager.create(x, new Shape(rows, in));
                    int[] next = {0};
                    double ms = time(() -> {
                        NDArray wc = wa[next[0]++ % f32Copies];
                        try (NDArray r = xa.getNDArrayInternal().linear(xa, wc, null).singletonOrThrow()) {
                            r.toFloatArray();
                        }
                    }, seconds);
                    out.add(new Row(Route.DJL, DType.F32, rows, o, in, ms, 4.0 * o * in / (ms / 1e3) / 1e9));
                }
            }
        }
        return new Result(bandwidth, out);
    }

    /** Mean milliseconds per call over about {@code seconds}, after a warm-up (at least 0.3 s, so that the JIT has compiled the kernel). */
    private static double time(Runnable op, double seconds) {
        long warm = System.nanoTime() + (long) (Math.max(0.3, seconds * 0.3) * 1e9);
        do {
            op.run();
        } while (System.nanoTime() < warm);
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        int n = 0;
        do {
            op.run();
            n++;
        } while (System.nanoTime() < end);
        return (System.nanoTime() - t0) / 1e6 / n;
    }

    /**
     * The language model's linear work of batch-1 decode steps on a checkpoint's own mapped weights: every 2-D
     * weight outside the vision tower (and the embedding table when it doubles as {@code lm_head}) times one row.
     *
     * @param firstTokenMs the first step, which also pages the weights in from the file
     * @param msPerToken   mean of the later steps
     */
    public record ModelPass(int matrices, long weightBytes, double openSeconds, long residentBefore,
                            long residentAfterOpen, long residentAfter, long peakResident, double firstTokenMs,
                            double msPerToken) {
    }

    public static ModelPass languageModelPass(java.nio.file.Path dir, HalfKernels kernels, int tokens) {
        long before = org.pathoreason.util.ProcessMemory.residentBytes();
        org.pathoreason.util.ProcessMemory.resetPeak();
        long t0 = System.nanoTime();
        try (MappedWeights mapped = MappedWeights.open(dir, kernels)) {
            List<WeightMatrix> matrices = new ArrayList<>();
            boolean hasLmHead = mapped.reader().contains("lm_head.weight");
            for (String name : mapped.reader().names()) {
                org.pathoreason.model.io.TensorInfo t = mapped.reader().info(name);
                boolean embedding = name.endsWith("embed_tokens.weight");
                if (t.shape().length != 2 || !t.dtype().isFloatingPoint() || name.contains("visual")
                        || (embedding && hasLmHead)) {
                    continue;
                }
                matrices.add(mapped.matrix(name));
            }
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            long afterOpen = org.pathoreason.util.ProcessMemory.residentBytes();
            long bytes = 0;
            int maxCols = 1;
            int maxRows = 1;
            for (WeightMatrix m : matrices) {
                bytes += m.byteSize();
                maxCols = Math.max(maxCols, m.cols());
                maxRows = Math.max(maxRows, m.rows());
            }
            float[] x = new float[maxCols];
            Random rnd = new Random(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] y = new float[maxRows];
            double first = 0;
            long rest = 0;
            for (int step = 0; step < Math.max(2, tokens); step++) {
                long s0 = System.nanoTime();
                for (WeightMatrix m : matrices) {
                    kernels.matmul(x, 1, m, y);
                }
                long took = System.nanoTime() - s0;
                if (step == 0) {
                    first = took / 1e6;
                } else {
                    rest += took;
                }
            }
            long after = org.pathoreason.util.ProcessMemory.residentBytes();
            long peak = org.pathoreason.util.ProcessMemory.peakResidentBytes();
            return new ModelPass(matrices.size(), bytes, openSeconds, before, afterOpen, after, peak, first,
                    rest / 1e6 / (Math.max(2, tokens) - 1));
        }
    }

    /** Batch-1 decode speed of a model: the first step (pages mapped weights in) and the mean of the others. */
    public record DecodeSpeed(int promptTokens, int steps, double prefillMs, double firstStepMs, double msPerToken) {
        public double tokensPerSecond() {
            return 1e3 / msPerToken;
        }
    }

    /**
     * Prefills a text prompt of {@code promptTokens} ids at batch 1, then times {@code steps} greedy decode steps
     * (each the model's decode, the argmax of its logits and the next token fed back), as generation runs them.
     *
     * @param steps timed steps after the first (at least 1)
     */
    public static DecodeSpeed decode(org.pathoreason.model.VisionLanguageModel model, int promptTokens, int steps,
                                     NDManager manager) {
        if (promptTokens < 1 || steps < 1) {
            throw new IllegalArgumentException("need a prompt token and a step: " + promptTokens + ", " + steps);
        }
        java.util.Set<Long> reserved = model.reservedTokenIds();
        long[] prompt = new long[promptTokens];
        long span = Math.min(model.vocabSize(), 1000);
        for (int i = 0, id = 0; i < promptTokens; id++) {
            long candidate = (id * 7919L) % span;
            if (!reserved.contains(candidate)) {
                prompt[i++] = candidate;
            }
        }
        org.pathoreason.model.ModelInput input = org.pathoreason.model.ModelInput.text(prompt);
        try (NDManager scope = manager.newSubManager()) {
            org.pathoreason.model.KvCache cache = model.newCache(1, promptTokens + steps + 1, scope);
            long t0 = System.nanoTime();
            long next;
            try (NDManager step = scope.newSubManager()) {
                next = model.prefill(input, cache, step).argMax(-1).toLongArray()[0];
            }
            double prefillMs = (System.nanoTime() - t0) / 1e6;
            double firstMs = 0;
            long t1 = 0;
            for (int s = 0; s <= steps; s++) {
                long ts = System.nanoTime();
                try (NDManager step = scope.newSubManager()) {
                    next = model.decode(new long[] {next}, cache, step).argMax(-1).toLongArray()[0];
                }
                if (s == 0) {
                    firstMs = (System.nanoTime() - ts) / 1e6;
                    t1 = System.nanoTime();
                }
            }
            double msPerToken = (System.nanoTime() - t1) / 1e6 / steps;
            return new DecodeSpeed(promptTokens, steps, prefillMs, firstMs, msPerToken);
        }
    }
}

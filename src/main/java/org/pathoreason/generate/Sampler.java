package org.pathoreason.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Picks the next token of each row from logits: greedy (argmax), or sampling after temperature, top-k and top-p
 * in that order (as transformers' logits warpers apply them). The candidate set is cut on the device; the draw is
 * made on the host with a seeded generator, so runs are reproducible.
 */
public final class Sampler {

    private final SamplingOptions options;
    private final SplittableRandom random;
    private final long[] suppressed;

    /**
     * @param suppressedTokenIds tokens never chosen (their logits are set to minus infinity before choosing; the
     *     reported log-probs stay those of the raw distribution)
     */
    public Sampler(SamplingOptions options, Set<Long> suppressedTokenIds) {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
        this.suppressed = suppressedTokenIds.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    public Sampler(SamplingOptions options) {
        this(options, Set.of());
    }

    /** Chosen tokens and their log-probabilities under the raw distribution. */
    public record Choice(long[] tokens, float[] logProbs) {
    }

    /**
     * Chooses one token per row.
     *
     * @param logits {@code [batch, vocab]}
     * @param active rows that still generate; other rows get token 0 and draw no random number
     */
    public Choice choose(NDArray logits, boolean[] active) {
        int batch = (int) logits.getShape().get(0);
        int vocab = (int) logits.getShape().get(1);
        long[] tokens = new long[batch];
        NDArray allowed = logits;
        if (suppressed.length > 0) {
            float[] penalty = new float[vocab];
            for (long id : suppressed) {
                if (id >= 0 && id < vocab) {
                    penalty[(int) id] = Float.NEGATIVE_INFINITY;
                }
            }
            allowed = logits.add(logits.getManager().create(penalty));
        }
        if (options.greedy()) {
            long[] best = allowed.argMax(-1).toLongArray();
            System.arraycopy(best, 0, tokens, 0, batch);
        } else {
            NDArray scaled = allowed.div(options.temperature());
            int k = options.topK() > 0 ? Math.min(options.topK(), vocab) : vocab;
            NDArray values;
            NDArray indices;
            if (k < vocab) {
                NDList top = scaled.topK(k, -1, true, true);
                values = top.get(0);
                indices = top.get(1);
            } else if (options.topP() < 1) {
                indices = scaled.argSort(-1, false);
                values = scaled.gather(indices, -1);
            } else {
                values = scaled;
                indices = null;
            }
            float[] v = values.toFloatArray();
            long[] idx = indices == null ? null : indices.toLongArray();
            int width = (int) values.getShape().get(1);
            for (int b = 0; b < batch; b++) {
                if (!active[b]) {
                    continue;
                }
                int pick = draw(v, b * width, width, indices != null);
                tokens[b] = idx == null ? pick : idx[b * width + pick];
            }
        }
        for (int b = 0; b < batch; b++) {
            if (!active[b]) {
                tokens[b] = 0;
            }
        }
        NDArray chosen = logits.getManager().create(tokens, new Shape(batch, 1));
        float[] logProbs = logits.logSoftmax(-1).gather(chosen, 1).toFloatArray();
        return new Choice(tokens, logProbs);
    }

    /**
     * Draws an index from {@code width} scaled logits starting at {@code offset}; when {@code sorted} (descending),
     * top-p keeps the shortest prefix whose probability mass reaches {@code topP}.
     */
    private int draw(float[] v, int offset, int width, boolean sorted) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < width; i++) {
            max = Math.max(max, v[offset + i]);
        }
        double[] p = new double[width];
        double total = 0;
        for (int i = 0; i < width; i++) {
            p[i] = Math.exp(v[offset + i] - max);
            total += p[i];
        }
        int keep = width;
        if (sorted && options.topP() < 1) {
            double cumulative = 0;
            for (int i = 0; i < width; i++) {
                if (cumulative / total >= options.topP()) {
                    keep = i;
                    break;
                }
                cumulative += p[i];
            }
            keep = Math.max(1, keep);
        }
        double mass = 0;
        for (int i = 0; i < keep; i++) {
            mass += p[i];
        }
        if (!(mass > 0)) {
            throw new IllegalStateException("no token can be sampled: every candidate has probability 0");
        }
        double u = random.nextDouble() * mass;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += p[i];
            if (u < acc) {
                return i;
            }
        }
        return keep - 1;
    }
}

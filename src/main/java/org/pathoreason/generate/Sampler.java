package org.pathoreason.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import org.pathoreason.engine.Scalars;

/**
 * Picks the next token of each row from logits: greedy (argmax), or sampling after temperature, top-k and top-p
 * in that order (as transformers' logits warpers apply them). The candidate set is cut on the device; the draw is
 * made on the host with a seeded generator, so runs are reproducible.
 */
public final class Sampler {

    private final SamplingOptions options;
    private final SplittableRandom random;
    private final long[] suppressed;
    private float[] penalty;

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
        if (options.greedy()) {
            long[] best = logits.argMax(-1).toLongArray();
            if (anySuppressed(best)) {
                // rare: only then pay for the penalty (argmax of the raw logits is otherwise the same token)
                best = withPenalty(logits, vocab).argMax(-1).toLongArray();
            }
            System.arraycopy(best, 0, tokens, 0, batch);
        } else {
            int k = options.topK() > 0 ? Math.min(options.topK(), vocab) : vocab;
            boolean cutOnDevice = k < vocab || options.topP() < 1;
            // the full distribution is drawn from on the host, which drops the suppressed tokens itself
            NDArray scaled = Scalars.div(cutOnDevice ? withPenalty(logits, vocab) : logits,
                    (float) options.temperature());
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
            if (!cutOnDevice) {
                for (int b = 0; b < batch; b++) {
                    for (long id : suppressed) {
                        if (id >= 0 && id < width) {
                            v[b * width + (int) id] = Float.NEGATIVE_INFINITY;
                        }
                    }
                }
            }
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

    private boolean anySuppressed(long[] tokens) {
        for (long t : tokens) {
            if (Arrays.binarySearch(suppressed, t) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The logits with the suppressed tokens at minus infinity. */
    private NDArray withPenalty(NDArray logits, int vocab) {
        if (suppressed.length == 0) {
            return logits;
        }
        if (penalty == null || penalty.length != vocab) {
            penalty = new float[vocab];
            for (long id : suppressed) {
                if (id >= 0 && id < vocab) {
                    penalty[(int) id] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return logits.add(logits.getManager().create(penalty));
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

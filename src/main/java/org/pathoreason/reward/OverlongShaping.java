package org.pathoreason.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.pathoreason.engine.Scalars;

/**
 * DAPO's soft overlong punishment: no penalty up to {@code maxLength - buffer} tokens, then a penalty growing
 * linearly to {@code -penalty} at {@code maxLength}:
 * <pre>
 *   r(L) = 0                                       if L &lt;= maxLength - buffer
 *        = -penalty * (L - (maxLength - buffer)) / buffer   if maxLength - buffer &lt; L &lt;= maxLength
 *        = -penalty                                if L &gt; maxLength
 * </pre>
 * This is verl's DAPO reward manager ({@code overlong_buffer}: {@code min(-exceed / buffer * factor, 0)}); beyond
 * {@code maxLength}, which verl's rollouts cannot reach, the value is held at {@code -penalty} as in the DAPO paper.
 *
 * @param maxLength the response length limit (DAPO: 20480)
 * @param buffer the length of the soft-penalty zone before the limit (DAPO: 4096)
 * @param penalty the penalty at the limit (DAPO: 1.0)
 */
public record OverlongShaping(int maxLength, int buffer, double penalty) {

    public OverlongShaping {
        if (maxLength < 1 || buffer < 1 || buffer > maxLength) {
            throw new IllegalArgumentException("need 1 <= buffer <= maxLength, got maxLength " + maxLength
                    + " and buffer " + buffer);
        }
        if (!(penalty >= 0) || Double.isInfinite(penalty)) {
            throw new IllegalArgumentException("penalty must be a finite number >= 0, got " + penalty);
        }
    }

    /** DAPO's settings for a given length limit: buffer of a fifth of it (4096 of 20480), penalty 1. */
    public static OverlongShaping dapo(int maxLength) {
        return new OverlongShaping(maxLength, Math.max(1, maxLength / 5), 1.0);
    }

    /** The shaping reward (0 or negative) of a response of {@code length} tokens. */
    public double reward(int length) {
        int expected = maxLength - buffer;
        if (length <= expected) {
            return 0;
        }
        if (length >= maxLength) {
            return -penalty + 0.0; // never -0.0
        }
        return -penalty * (length - expected) / buffer + 0.0;
    }

    /** Rewards for a batch of lengths. */
    public double[] rewards(int[] lengths) {
        double[] out = new double[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            out[i] = reward(lengths[i]);
        }
        return out;
    }

    /** NDArray version: response lengths [B] (any numeric type) -> shaping rewards [B] (float32). */
    public NDArray rewards(NDArray lengths) {
        NDArray exceed = lengths.toType(DataType.FLOAT32, false).sub((float) (maxLength - buffer));
        return Scalars.mul(Scalars.div(exceed, (float) buffer).clip(0, 1), (float) -penalty);
    }
}

package org.pathoreason.train.rl;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import org.pathoreason.engine.Scalars;

/**
 * Per-token estimators of KL(policy || reference) from the sampled token's log-probabilities, after J. Schulman,
 * "Approximating KL divergence" (2020), with verl's arithmetic ({@code kl_penalty} in core_algos.py):
 *
 * <ul>
 *   <li>k1 = logp - refLogp (unbiased, high variance, can be negative);
 *   <li>k2 = 0.5 (logp - refLogp)^2;
 *   <li>k3 (verl {@code low_var_kl}, the GRPO paper's estimator) = exp(d) - d - 1 with d = refLogp - logp clamped to
 *       [-20, 20] before the exponential, the result clamped to [-10, 10].
 * </ul>
 */
public final class KlEstimators {

    /** Which estimator. */
    public enum Kind {
        K1, K2, K3;

        /** The name written in configs: {@code k1}, {@code k2} or {@code k3}. */
        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code k1|kl}, {@code k2|mse}, {@code k3|low_var_kl} (verl's names), any case. */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Kind parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "k1", "kl" -> K1;
                case "k2", "mse" -> K2;
                case "k3", "low_var_kl" -> K3;
                default -> throw new IllegalArgumentException("unknown KL estimator '" + name
                        + "'; expected k1 (kl), k2 (mse) or k3 (low_var_kl)");
            };
        }

        /** The estimate for one token. */
        public double perToken(double logp, double refLogp) {
            return switch (this) {
                case K1 -> k1(logp, refLogp);
                case K2 -> k2(logp, refLogp);
                case K3 -> k3(logp, refLogp);
            };
        }

        /** Element-wise estimate over arrays of any equal shape; differentiable in {@code logp}. */
        public NDArray perToken(NDArray logp, NDArray refLogp) {
            return switch (this) {
                case K1 -> logp.sub(refLogp);
                case K2 -> Scalars.mul(logp.sub(refLogp).square(), 0.5f);
                case K3 -> {
                    NDArray d = refLogp.sub(logp).clip(-20, 20);
                    yield d.exp().sub(d).sub(1f).clip(-10, 10);
                }
            };
        }

        /** Element-wise estimate over [B][T] arrays. */
        public double[][] perToken(double[][] logp, double[][] refLogp) {
            LossAggregation.checkShapes(logp, refLogp);
            double[][] out = new double[logp.length][];
            for (int i = 0; i < logp.length; i++) {
                out[i] = new double[logp[i].length];
                for (int j = 0; j < logp[i].length; j++) {
                    out[i][j] = perToken(logp[i][j], refLogp[i][j]);
                }
            }
            return out;
        }
    }

    private KlEstimators() {
    }

    public static double k1(double logp, double refLogp) {
        return logp - refLogp;
    }

    public static double k2(double logp, double refLogp) {
        double d = logp - refLogp;
        return 0.5 * d * d;
    }

    public static double k3(double logp, double refLogp) {
        double d = clamp(refLogp - logp, -20, 20);
        return clamp(Math.exp(d) - d - 1, -10, 10);
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}

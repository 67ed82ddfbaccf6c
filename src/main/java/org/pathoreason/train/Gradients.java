package org.pathoreason.train;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gradient housekeeping between backward passes and optimiser updates: global-norm clipping, scaling, zeroing.
 *
 * <p><b>Accumulation.</b> DJL's PyTorch engine accumulates: each {@code GradientCollector.backward} adds into the
 * parameters' {@code .grad} (PyTorch semantics), and DJL does not zero gradients when a collector opens (the call
 * is disabled in {@code PtGradientCollector}), nor does anything else. So micro-batch accumulation needs no buffer
 * of our own: run backward once per micro-batch, then {@link #scale} by 1/n (or scale each loss by 1/n before
 * backward, as transformers' Trainer does), clip, update, and {@link #zero} before the next accumulation. Forgetting
 * {@link #zero} silently adds the previous step's gradients into the next one.
 *
 * <p>Every {@code getGradient()} handle opened here is closed here (DESIGN's rule).
 */
public final class Gradients {

    private Gradients() {
    }

    /**
     * The parameters of {@code params} that require a gradient, by name in sorted order, tied duplicates (the same
     * array under two names) once.
     */
    public static Map<String, NDArray> trainable(Map<String, NDArray> params) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        Map<NDArray, Boolean> seen = new IdentityHashMap<>();
        for (Map.Entry<String, NDArray> e : new TreeMap<>(params).entrySet()) {
            if (e.getValue().hasGradient() && seen.put(e.getValue(), Boolean.TRUE) == null) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /**
     * The L2 norm of all gradients taken together, sqrt(sum of squares over every element of every gradient), as
     * {@code torch.nn.utils.clip_grad_norm_} computes it; parameters without a gradient are left out.
     */
    public static double globalNorm(Collection<NDArray> params) {
        return Tensors.noGrad(() -> {
            double sumSquares = 0;
            for (NDArray p : distinct(params)) {
                NDArray grad = Tensors.gradientOrNull(p);
                if (grad == null) {
                    continue;
                }
                try (grad; NDArray norm = grad.norm()) {
                    double n = Tensors.scalar(norm);
                    sumSquares += n * n;
                }
            }
            return Math.sqrt(sumSquares);
        });
    }

    /**
     * Clips gradients in place to a global L2 norm of at most {@code maxNorm}, as
     * {@code torch.nn.utils.clip_grad_norm_}: every gradient is multiplied by {@code maxNorm / (total + 1e-6)}
     * when that factor is below 1. A non-finite total norm leaves the gradients unchanged (PyTorch would multiply
     * them by NaN); the caller should then skip the update, see {@link ParameterUpdater}.
     *
     * @param maxNorm the largest allowed norm; {@code <= 0} or infinite disables clipping (the norm is still
     *     computed)
     * @return the total norm before clipping
     */
    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
        double total = globalNorm(params);
        if (maxNorm > 0 && Double.isFinite(maxNorm) && Double.isFinite(total)) {
            double coefficient = maxNorm / (total + 1e-6);
            if (coefficient < 1.0) {
                scale(params, coefficient);
            }
        }
        return total;
    }

    /** Multiplies every gradient by {@code factor} in place (averaging accumulated micro-batches: 1/n). */
    public static void scale(Collection<NDArray> params, double factor) {
        if (factor == 1.0) {
            return;
        }
        Tensors.noGrad(() -> {
            for (NDArray p : distinct(params)) {
                NDArray grad = Tensors.gradientOrNull(p);
                if (grad != null) {
                    try (grad) {
                        grad.muli(factor);
                    }
                }
            }
            return null;
        });
    }

    /** Sets every gradient to zero in place ({@code zero_grad(set_to_none=False)}). */
    public static void zero(Collection<NDArray> params) {
        for (NDArray p : distinct(params)) {
            Tensors.zeroGradient(p);
        }
    }

    /** The arrays in their given order, each once (tied weights); the order keeps float sums reproducible. */
    private static List<NDArray> distinct(Collection<NDArray> params) {
        Map<NDArray, Boolean> seen = new IdentityHashMap<>();
        List<NDArray> out = new ArrayList<>(params.size());
        for (NDArray p : params) {
            if (seen.put(p, Boolean.TRUE) == null) {
                out.add(p);
            }
        }
        return out;
    }
}

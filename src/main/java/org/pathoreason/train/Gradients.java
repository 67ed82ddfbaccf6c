package org.pathoreason.train;

import org.pathoreason.engine.NoGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
     * Open handles on the gradients of a set of parameters, fetched once and closed together: an update reads
     * each gradient once instead of once per operation (scale, norm, clip, AdamW).
     *
     * <p>Why it matters beyond speed: DJL 0.35.1's native {@code torchGrad} allocates a tensor handle before it
     * checks whether the gradient exists and loses it when it does not, so every look-up of a parameter that has
     * never received a gradient leaks about 32 bytes of native memory. Parameters that take part in every forward
     * pass get a gradient at the first backward and never leak; a trainable part that no batch uses (say, an
     * unfrozen vision tower on text-only data) leaks 32 bytes per parameter per look-up; freeze it instead.
     */
    public static final class Handles implements AutoCloseable {

        private final List<NDArray> params = new ArrayList<>();
        private final List<NDArray> grads = new ArrayList<>();
        private final Map<NDArray, NDArray> byParam = new IdentityHashMap<>();

        private Handles(Collection<NDArray> all) {
            for (NDArray p : distinct(all)) {
                NDArray g = Tensors.gradientOrNull(p);
                if (g != null) {
                    params.add(p);
                    grads.add(g);
                    byParam.put(p, g);
                }
            }
        }

        /** The gradient of {@code param}, or null when it has none (PyTorch's {@code .grad is None}). */
        public NDArray of(NDArray param) {
            return byParam.get(param);
        }

        /** How many of the parameters have a gradient. */
        public int size() {
            return grads.size();
        }

        /**
         * The L2 norm of all gradients taken together, sqrt(sum of squares over every element of every gradient),
         * as {@code torch.nn.utils.clip_grad_norm_} computes it.
         */
        public double globalNorm() {
            if (grads.isEmpty()) {
                return 0;
            }
            // as clip_grad_norm_: the norm of the per-gradient norms, read back once
            return NoGrad.get(() -> {
                try (NDManager scope = grads.get(0).getManager().newSubManager()) {
                    NDList norms = new NDList();
                    for (NDArray g : grads) {
                        NDArray n = g.norm();
                        n.attach(scope);
                        norms.add(n);
                    }
                    NDArray total = NDArrays.stack(norms).norm();
                    total.attach(scope);
                    return Tensors.scalar(total);
                }
            });
        }

        /** Multiplies every gradient by {@code factor} in place. */
        public void scale(double factor) {
            if (factor == 1.0 || grads.isEmpty()) {
                return;
            }
            NoGrad.get(() -> {
                // one scalar array for all: a Number operand would become a new array per gradient
                try (NDArray f = grads.get(0).getManager().create((float) factor)) {
                    grads.forEach(g -> g.muli(f));
                }
                return null;
            });
        }

        /**
         * Clips to a global norm of at most {@code maxNorm} as {@code clip_grad_norm_}: multiplies every gradient
         * by {@code maxNorm / (total + 1e-6)} when that factor is below 1. A non-finite total leaves the gradients
         * unchanged (PyTorch would multiply them by NaN); the caller should then skip the update.
         *
         * @param maxNorm {@code <= 0} or infinite disables clipping (the norm is still computed)
         * @return the total norm before clipping
         */
        public double clip(double maxNorm) {
            double total = globalNorm();
            if (maxNorm > 0 && Double.isFinite(maxNorm) && Double.isFinite(total)) {
                double coefficient = maxNorm / (total + 1e-6);
                if (coefficient < 1.0) {
                    scale(coefficient);
                }
            }
            return total;
        }

        /** Sets the gradients to zero in place. */
        public void zero() {
            params.forEach(Tensors::zeroGradient);
        }

        /** Closes the handles (not the gradients themselves, which belong to the parameters). */
        @Override
        public void close() {
            grads.forEach(NDArray::close);
        }
    }

    /** Opens the gradients of {@code params} (tied duplicates once); close the result. */
    public static Handles open(Collection<NDArray> params) {
        return new Handles(params);
    }

    /** The global L2 norm of the gradients of {@code params}; see {@link Handles#globalNorm()}. */
    public static double globalNorm(Collection<NDArray> params) {
        try (Handles h = open(params)) {
            return h.globalNorm();
        }
    }

    /**
     * Clips the gradients of {@code params} in place to a global L2 norm of at most {@code maxNorm}, as
     * {@code torch.nn.utils.clip_grad_norm_}; see {@link Handles#clip(double)}.
     *
     * @return the total norm before clipping
     */
    public static double clipGlobalNorm(Collection<NDArray> params, double maxNorm) {
        try (Handles h = open(params)) {
            return h.clip(maxNorm);
        }
    }

    /** Multiplies every gradient by {@code factor} in place (averaging accumulated micro-batches: 1/n). */
    public static void scale(Collection<NDArray> params, double factor) {
        if (factor == 1.0) {
            return;
        }
        try (Handles h = open(params)) {
            h.scale(factor);
        }
    }

    /** Sets every gradient to zero in place ({@code zero_grad(set_to_none=False)}); no look-up, so no leak. */
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

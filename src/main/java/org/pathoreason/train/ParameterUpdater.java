package org.pathoreason.train;

import org.pathoreason.engine.GradientRecording;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One optimiser update from accumulated gradients, in the order transformers' Trainer uses: scale the gradients
 * (average over micro-batches), clip to the global norm, take the learning rate of this update from the schedule,
 * apply AdamW, zero the gradients, count the update.
 *
 * <p>Typical use, {@code n} micro-batches per update:
 * <pre>{@code
 * try (ParameterUpdater updater = new ParameterUpdater(params, settings, schedule, maxGradNorm)) {
 *     for (...) {
 *         for (int i = 0; i < n; i++) {
 *             try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
 *                 NDArray loss = ...;
 *                 gc.backward(loss);          // adds into .grad
 *             }
 *         }
 *         ParameterUpdater.Update u = updater.step(1.0 / n);
 *     }
 * }
 * }</pre>
 */
public final class ParameterUpdater implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ParameterUpdater.class);

    /**
     * What an update did.
     *
     * @param step the number of updates done so far, this one included (transformers' {@code global_step})
     * @param lr the learning rate used
     * @param gradNorm the global gradient norm before clipping (after scaling)
     * @param applied false when the update was skipped because the gradient norm was not finite
     */
    public record Update(long step, double lr, double gradNorm, boolean applied) {
    }

    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final double maxGradNorm;
    private final List<NDArray> params;
    private long globalStep;

    /**
     * @param params all parameters; those requiring a gradient are trained
     * @param maxGradNorm global-norm clipping threshold; {@code <= 0} disables clipping
     */
    public ParameterUpdater(Map<String, NDArray> params, AdamW.Settings settings, LrSchedule schedule,
            double maxGradNorm) {
        this.optimizer = new AdamW(params, settings);
        this.schedule = schedule;
        this.maxGradNorm = maxGradNorm;
        this.params = List.copyOf(optimizer.parameters().values());
        // Start clean: gradients left from before (an evaluation pass, a previous owner) must not leak in.
        Gradients.zero(this.params);
    }

    /**
     * Scales the accumulated gradients by {@code gradScale}, clips, updates and zeroes the gradients. A non-finite
     * gradient norm skips the optimiser (gradients are still zeroed and the step still counts, so the schedule
     * and the data stay aligned).
     */
    public Update step(double gradScale) {
        double lr = schedule.lr(globalStep);
        double norm;
        boolean finite;
        // One look-up per gradient for the whole update (see Gradients.Handles on why that matters).
        try (Gradients.Handles grads = Gradients.open(params)) {
            grads.scale(gradScale);
            norm = grads.clip(maxGradNorm);
            finite = Double.isFinite(norm);
            if (finite) {
                optimizer.step(lr, grads);
            } else {
                LOG.warn("step {}: gradient norm is {}; update skipped", globalStep + 1, norm);
            }
            grads.zero();
        }
        globalStep++;
        return new Update(globalStep, lr, norm, finite);
    }

    /** {@link #step(double)} without scaling (the losses were already divided by the micro-batch count). */
    public Update step() {
        return step(1.0);
    }

    /** The learning rate the next update will use. */
    public double nextLr() {
        return schedule.lr(globalStep);
    }

    /** Updates done so far; the schedule position. */
    public long globalStep() {
        return globalStep;
    }

    /** Sets the schedule position when resuming (the optimiser state is restored through {@link #optimizer()}). */
    public void resumeAt(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        this.globalStep = step;
    }

    /** Zeroes the trained parameters' gradients, e.g. after a validation pass that ran backward. */
    public void zeroGradients() {
        Gradients.zero(params);
    }

    public AdamW optimizer() {
        return optimizer;
    }

    @Override
    public void close() {
        optimizer.close();
    }
}

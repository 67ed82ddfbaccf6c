package org.pathoreason.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything besides tensors that a run needs to continue exactly where it stopped; saved as
 * {@code trainer_state.json} in each checkpoint.
 *
 * <p>There is no generator state to save: every random draw of a run comes from {@link StepRandom} streams
 * derived from ({@code seed}, step), so {@code seed} and {@code globalStep} restore them. The schedule position is
 * {@code globalStep} (the number of optimiser updates done).
 *
 * @param globalStep optimiser updates done
 * @param dataPosition where the next batch starts
 * @param seed the run's seed
 * @param bestMetrics best value seen so far per validation metric
 * @param extra loop-specific values (RL: KL controller, reference model step, ...); JSON values
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainState(long globalStep, DataPosition dataPosition, long seed, Map<String, Double> bestMetrics,
        Map<String, Object> extra) {

    public TrainState {
        if (globalStep < 0) {
            throw new IllegalArgumentException("global_step must be >= 0, got " + globalStep);
        }
        dataPosition = dataPosition == null ? DataPosition.START : dataPosition;
        bestMetrics = bestMetrics == null ? Map.of() : Map.copyOf(bestMetrics);
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** The state of a run that has not started. */
    public static TrainState start(long seed) {
        return new TrainState(0, DataPosition.START, seed, Map.of(), Map.of());
    }

    public TrainState at(long step, DataPosition position) {
        return new TrainState(step, position, seed, bestMetrics, extra);
    }

    /**
     * Records {@code value} of {@code metric} if it beats the best so far.
     *
     * @param higherIsBetter true for accuracy-like metrics, false for losses
     */
    public TrainState withMetric(String metric, double value, boolean higherIsBetter) {
        Double best = bestMetrics.get(metric);
        if (best != null && !(higherIsBetter ? value > best : value < best)) {
            return this;
        }
        Map<String, Double> m = new LinkedHashMap<>(bestMetrics);
        m.put(metric, value);
        return new TrainState(globalStep, dataPosition, seed, m, extra);
    }

    /** True when {@code value} would be a new best for {@code metric}. */
    public boolean isBest(String metric, double value, boolean higherIsBetter) {
        Double best = bestMetrics.get(metric);
        return best == null || (higherIsBetter ? value > best : value < best);
    }

    public TrainState withExtra(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(extra);
        m.put(key, value);
        return new TrainState(globalStep, dataPosition, seed, bestMetrics, m);
    }
}

package org.pathoreason.reward;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reward's value for one completion and the named parts it was computed from, for metrics logging (e.g.
 * {@code format=1, accuracy=0} for a weighted sum, {@code integrity=0.6, knowledge=1} for the process reward).
 *
 * @param value the scalar the trainer optimises
 * @param parts named components, in insertion order; immutable
 */
public record RewardResult(double value, Map<String, Double> parts) {

    public RewardResult {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("reward value must be finite, got " + value);
        }
        parts = parts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }

    /** A result whose only part is the value itself under {@code name}. */
    public static RewardResult of(String name, double value) {
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put(name, value);
        return new RewardResult(value, parts);
    }

    /** The named part, or NaN when absent. */
    public double part(String name) {
        Double v = parts.get(name);
        return v == null ? Double.NaN : v;
    }
}

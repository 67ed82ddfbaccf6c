package org.pathoreason.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a run stands in its data: the epoch and the index of the next sample within that epoch's order.
 *
 * @param epoch 0-based epoch
 * @param index how many samples of this epoch's order have been consumed
 */
public record DataPosition(@JsonProperty("epoch") int epoch, @JsonProperty("index") int index) {

    public static final DataPosition START = new DataPosition(0, 0);

    public DataPosition {
        if (epoch < 0 || index < 0) {
            throw new IllegalArgumentException("data position must be non-negative, got epoch " + epoch
                    + ", index " + index);
        }
    }
}

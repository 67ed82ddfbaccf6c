package org.pathoreason.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataOrderTest {

    @Test
    void eachEpochIsASeededPermutation() {
        DataOrder order = new DataOrder(50, 3, true);
        int[] e0 = order.epochOrder(0);
        int[] e1 = order.epochOrder(1);
        assertThat(Arrays.stream(e0).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 50).toArray());
        assertThat(e0).isNotEqualTo(e1);
        assertThat(new DataOrder(50, 3, true).epochOrder(1)).isEqualTo(e1);
        assertThat(new DataOrder(50, 4, true).epochOrder(0)).isNotEqualTo(e0);
        assertThat(new DataOrder(5, 3, false).epochOrder(7)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void batchesStopAtEpochEndsAndResumeExactly() {
        DataOrder order = new DataOrder(10, 11, true);
        DataOrder.Cursor straight = order.cursor(DataPosition.START);
        List<int[]> all = new ArrayList<>();
        List<DataPosition> positions = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            positions.add(straight.position());
            all.add(straight.nextBatch(4));
        }
        // 10 samples in batches of 4: 4, 4, 2 per epoch.
        assertThat(all.stream().mapToInt(b -> b.length).toArray()).containsExactly(4, 4, 2, 4, 4, 2, 4, 4, 2);
        int[] epoch0 = order.epochOrder(0);
        assertThat(all.get(2)).containsExactly(epoch0[8], epoch0[9]);
        assertThat(straight.position()).isEqualTo(new DataPosition(2, 10));
        // A cursor opened at any saved position continues identically.
        for (int k = 0; k < positions.size(); k++) {
            DataOrder.Cursor resumed = new DataOrder(10, 11, true).cursor(positions.get(k));
            for (int i = k; i < all.size(); i++) {
                assertThat(resumed.nextBatch(4)).isEqualTo(all.get(i));
            }
        }
    }

    @Test
    void rejectsPositionsOfOtherData() {
        assertThatThrownBy(() -> new DataOrder(10, 1, true).cursor(new DataPosition(0, 11)))
                .hasMessageContaining("past the end");
        assertThatThrownBy(() -> new DataOrder(0, 1, true)).hasMessageContaining("empty");
    }

    @Test
    void stepRandomIsDeterministicAndSeparatesStreams() {
        assertThat(StepRandom.derive(1, 5, "data")).isEqualTo(StepRandom.derive(1, 5, "data"));
        assertThat(StepRandom.derive(1, 5, "data")).isNotEqualTo(StepRandom.derive(1, 6, "data"));
        assertThat(StepRandom.derive(1, 5, "data")).isNotEqualTo(StepRandom.derive(1, 5, "dropout"));
        assertThat(StepRandom.derive(1, 5, "data")).isNotEqualTo(StepRandom.derive(2, 5, "data"));
        assertThat(StepRandom.at(9, 3, "x").nextLong()).isEqualTo(StepRandom.at(9, 3, "x").nextLong());
    }
}

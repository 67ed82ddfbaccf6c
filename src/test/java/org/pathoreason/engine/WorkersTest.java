package org.pathoreason.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class WorkersTest {

    @Test
    void piecesComeBackInTheirOrderWhoeverRanThem() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        List<Callable<Integer>> pieces = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int k = i;
            pieces.add(() -> {
                threads.add(Thread.currentThread().getName());
                Thread.sleep(5);
                return k * k;
            });
        }
        try (Workers workers = Workers.of(2)) {
            List<Integer> out = workers.map(pieces);
            for (int i = 0; i < 20; i++) {
                assertThat(out.get(i)).isEqualTo(i * i);
            }
        }
        assertThat(threads).hasSize(2); // the caller and one helper both took pieces
        assertThat(Workers.of(1).map(pieces)).hasSize(20);
    }

    @Test
    void theFirstFailureIsThrownAfterEveryWorkerStopped() {
        List<Callable<Integer>> pieces = List.of(() -> 1, () -> {
            throw new IllegalArgumentException("piece 1 failed");
        }, () -> 3);
        try (Workers workers = Workers.of(2)) {
            assertThatThrownBy(() -> workers.map(pieces)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("piece 1 failed");
        }
        assertThatThrownBy(() -> Workers.of(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

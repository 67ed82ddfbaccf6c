package org.pathoreason.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class EnginesTest {

    @Test
    void startsOfflineWithTrackingOffAndComputes() {
        Engines.start();
        assertThat(Engines.offlineGuardOn()).isTrue();
        try (NDManager m = Engines.newManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            assertThat(a.matMul(a).toFloatArray()).containsExactly(7, 10, 15, 22);
        }
    }

    @Test
    void matmulBenchmarkReportsPositiveThroughput() {
        assertThat(MatmulBenchmark.gflops(64, 2)).isPositive();
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> new EngineOptions(-1, "cpu", false)).hasMessageContaining("threads");
        assertThatThrownBy(() -> new EngineOptions(1, "tpu", false)).hasMessageContaining("'tpu'");
    }
}

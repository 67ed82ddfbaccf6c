package org.pathoreason.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {

    @TempDir
    Path dir;

    @Test
    void appendsOneFlushedLinePerStepAndReadsBack() throws Exception {
        Path file = dir.resolve("run/metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file, 0)) {
            log.append(1, Map.of("loss", 2.5));
            // Flushed: visible before close.
            assertThat(Files.readAllLines(file)).containsExactly("{\"step\":1,\"loss\":2.5}");
            log.append(2, Map.of("loss", Double.NaN));
            log.append(2, Map.of("val_loss", 1.0));
        }
        assertThat(MetricsLog.read(file)).hasSize(3);
        double[][] loss = MetricsLog.series(file, "loss");
        assertThat(loss[0]).containsExactly(1.0, 2.0);
        assertThat(loss[1][0]).isEqualTo(2.5);
        assertThat(loss[1][1]).isNaN();
        assertThat(MetricsLog.series(file, "val_loss")[0]).containsExactly(2.0);
    }

    @Test
    void resumeDropsStepsAfterTheCheckpointAndATornLine() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file, 0)) {
            for (int s = 1; s <= 6; s++) {
                log.append(s, Map.of("loss", 10.0 - s));
            }
        }
        Files.writeString(file, "{\"step\":7,\"lo", StandardOpenOption.APPEND); // killed mid-line
        try (MetricsLog log = MetricsLog.open(file, 4)) {
            log.append(5, Map.of("loss", 0.5));
        }
        assertThat(MetricsLog.series(file, "step")[1]).containsExactly(1, 2, 3, 4, 5);
        assertThat(MetricsLog.series(file, "loss")[1]).containsExactly(9, 8, 7, 6, 0.5);
        // A fresh run in the same folder starts an empty log.
        MetricsLog.open(file, 0).close();
        assertThat(MetricsLog.read(file)).isEmpty();
    }

    @Test
    void completeLastLineWithoutNewlineIsKeptAndNotJoined() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1,\"loss\":3}\n{\"step\":2,\"loss\":2}");
        try (MetricsLog log = MetricsLog.open(file, 10)) {
            log.append(3, Map.of("loss", 1));
        }
        assertThat(MetricsLog.series(file, "loss")[1]).containsExactly(3, 2, 1);
    }

    @Test
    void malformedLineInTheMiddleNamesFileAndLine() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1}\nnot json\n{\"step\":3}\n");
        assertThatThrownBy(() -> MetricsLog.read(file)).hasMessageContaining("metrics.jsonl:2");
        Files.writeString(file, "{\"loss\":1}\n");
        assertThatThrownBy(() -> MetricsLog.read(file)).hasMessageContaining("metrics.jsonl:1")
                .hasMessageContaining("step");
    }
}

package org.pathoreason.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLFlops;
import org.pathoreason.model.qwen2vl.TinyModels;

class GenerationBenchmarkTest {

    @Test
    void measuresEveryBatchSizeWithAndWithoutCache() {
        Qwen2VLConfig config = TinyModels.config(true);
        GenerationBenchmark.Options o = new GenerationBenchmark.Options(config, 6, 3, new int[] {1, 2}, 4, 2, 0);
        try (NDManager root = Engines.newManager()) {
            GenerationBenchmark.Report r = GenerationBenchmark.run(o, root);
            assertThat(r.rows()).hasSize(4);
            assertThat(r.rows()).extracting(GenerationBenchmark.Row::cache).containsExactly(true, false, true, false);
            for (GenerationBenchmark.Row row : r.rows()) {
                assertThat(row.promptLength()).isEqualTo(6 + 4 + 2);
                assertThat(row.prefillTokensPerSecond()).isPositive().isFinite();
                assertThat(row.decodeTokensPerSecond()).isPositive().isFinite();
            }
            assertThat(r.train().seconds()).isPositive();
            assertThat(r.train().gflop()).isCloseTo(3 * Qwen2VLFlops.forward(config, 2, 15, 3,
                    List.of(new int[] {1, 4, 4}, new int[] {1, 4, 4})) / 1e9, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(r.matmulGflopPerSecond()).isPositive();
        }
    }

    @Test
    void flopsOfTheTextModelFollowTheUsualFormula() {
        Qwen2VLConfig c = TinyModels.config(false);
        // 2 FLOPs per weight per token for the projections and MLP, 4 * hidden * length per token for attention
        double h = 128;
        double perToken = 2 * (h * h + 2 * h * 64 + h * h + 3 * h * 352);
        double expected = 2 * (10 * perToken + 4 * h * 10 * 10) + 2 * h * 100 * 10;
        assertThat(Qwen2VLFlops.forward(c, 1, 10, 10, List.of())).isEqualTo(expected);
    }
}

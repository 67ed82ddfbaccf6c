package org.pathoreason.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Summaries of several seeds' stage figures. */
class SeedRunsTest {

    private static StageScores scores(String name, double accuracy, double judge, Map<String, Double> subsets) {
        return new StageScores(name, accuracy, accuracy, 1, 0.3, 1, 0.4, judge, 70, 100, 80, 0, 0, subsets);
    }

    @Test
    void meanSampleSdMinMaxAndSubsetMeansPerStage() {
        List<List<StageScores>> perSeed = List.of(
                List.of(scores("sft", 0.60, 0.8, Map.of("diagnosis", 0.6, "finding", 0.5)),
                        scores("grpo", 0.64, 0.8, Map.of("diagnosis", 0.7, "finding", 0.5))),
                List.of(scores("sft", 0.58, 0.9, Map.of("diagnosis", 0.5, "finding", 0.7)),
                        scores("grpo", 0.70, 0.8, Map.of("diagnosis", 0.8, "finding", 0.6))),
                List.of(scores("sft", 0.62, 0.7, Map.of("diagnosis", 0.7)),
                        scores("grpo", 0.67, 0.8, Map.of("diagnosis", 0.9, "finding", 0.4))));
        List<SeedRuns.StageSummary> s = SeedRuns.summarise(perSeed);

        assertThat(s).extracting(SeedRuns.StageSummary::name).containsExactly("sft", "grpo");
        SeedRuns.StageSummary sft = s.get(0);
        assertThat(sft.seeds()).isEqualTo(3);
        assertThat(sft.accuracyMean()).isCloseTo(0.60, within(1e-12));
        assertThat(sft.accuracySd()).isCloseTo(0.02, within(1e-12)); // sqrt((0 + 0.0004 + 0.0004) / 2)
        assertThat(sft.accuracyMin()).isEqualTo(0.58);
        assertThat(sft.accuracyMax()).isEqualTo(0.62);
        assertThat(sft.judgeMean()).isCloseTo(0.8, within(1e-12));
        // a subset only some seeds have is averaged over those
        assertThat(sft.subsetAccuracyMean()).containsOnlyKeys("diagnosis", "finding");
        assertThat(sft.subsetAccuracyMean().get("finding")).isCloseTo(0.6, within(1e-12));
        assertThat(s.get(1).accuracyMean()).isCloseTo(0.67, within(1e-12));
        assertThat(SeedRuns.table(s)).contains("grpo", "0.670", "0.020");
    }

    @Test
    void oneSeedHasNoSpread() {
        SeedRuns.StageSummary only = SeedRuns.summarise(List.of(List.of(scores("sft", 0.6, 0.8, Map.of())))).get(0);
        assertThat(only.accuracySd()).isNaN();
        assertThat(SeedRuns.table(List.of(only))).contains("  -  ");
    }

    @Test
    void runsWithDifferentStagesAreRefused() {
        assertThatThrownBy(() -> SeedRuns.summarise(List.of(List.of(scores("sft", 0.6, 0.8, Map.of())),
                List.of(scores("grpo", 0.6, 0.8, Map.of()))))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("different stages");
    }

    @Test
    void seedsMustBeGivenAndDistinct() {
        assertThatThrownBy(() -> SeedRuns.run(java.nio.file.Path.of("x"), List.of(), "t", (s, d) -> null,
                System.out)).hasMessageContaining("no seeds");
        assertThatThrownBy(() -> SeedRuns.run(java.nio.file.Path.of("x"), List.of(1L, 1L), "t", (s, d) -> null,
                System.out)).hasMessageContaining("repeat");
    }
}

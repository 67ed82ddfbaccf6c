package org.pathoreason.train.rl;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.FinishReason;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.model.Prompt;
import org.pathoreason.reward.RewardResult;

/** The per-step rollout metrics, including accuracy per question subset. */
class RolloutMetricsTest {

    private static Sample sample(String id, String subset) {
        return new Sample(id, List.of(), "q", List.of(), "A", null, null, null, List.of(), Task.MCQ, subset,
                Map.of());
    }

    private static RolloutGroup group(Sample s, double... accuracies) {
        List<GenerationResult> completions = new java.util.ArrayList<>();
        List<RewardResult> rewards = new java.util.ArrayList<>();
        for (double a : accuracies) {
            completions.add(new GenerationResult(new long[] {1, 2, 3}, "x", new float[3], FinishReason.STOP));
            rewards.add(new RewardResult(1 + a, Map.of("format", 1.0, "accuracy", a)));
        }
        return new RolloutGroup(s, Prompt.text(new long[] {5, 6}), completions, rewards);
    }

    @Test
    void accuracyIsReportedOverAllAndPerSubset() {
        List<RolloutGroup> groups = List.of(
                group(sample("a", "diagnosis"), 1, 1, 0, 0),
                group(sample("b", "diagnosis"), 1, 1, 1, 1),
                group(sample("c", "feature"), 0, 0, 0, 1),
                group(sample("d", null), 0, 0, 0, 0));
        Map<String, Object> m = new LinkedHashMap<>();
        GrpoTrainer.rolloutMetrics(groups, m);

        assertThat((Double) m.get("accuracy")).isCloseTo(7.0 / 16, within(1e-12));
        assertThat((Double) m.get("accuracy/diagnosis")).isCloseTo(6.0 / 8, within(1e-12));
        assertThat((Double) m.get("accuracy/feature")).isCloseTo(1.0 / 4, within(1e-12));
        // a sample without a subset counts in the total only
        assertThat(m.keySet().stream().filter(k -> k.startsWith("accuracy/"))).containsExactly(
                "accuracy/diagnosis", "accuracy/feature");
        assertThat((Double) m.get("format_rate")).isEqualTo(1.0);
        assertThat((Integer) m.get("completions")).isEqualTo(16);
        assertThat((Double) m.get("response_length")).isEqualTo(3.0);
    }
}

package org.pathoreason.train.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.reward.RewardResult;

class DynamicSamplerTest {

    /** A group whose four completions have the given accuracies; the total reward adds a varying length term. */
    private static RolloutGroup group(String id, double... accuracy) {
        Sample s = RlFixtures.sample(id, "tissue");
        List<GenerationResult> completions = new ArrayList<>();
        List<RewardResult> rewards = new ArrayList<>();
        for (int i = 0; i < accuracy.length; i++) {
            completions.add(RlFixtures.completion(1, 2, RlFixtures.STOP));
            Map<String, Double> parts = new LinkedHashMap<>();
            parts.put("accuracy", accuracy[i]);
            parts.put("length", -0.1 * i);
            rewards.add(new RewardResult(accuracy[i] - 0.1 * i, parts));
        }
        return new RolloutGroup(s, RlFixtures.ENCODER.apply(s), completions, rewards);
    }

    @Test
    void keepsOnlyGroupsWithVarianceAndFillsTheBatchOverRounds() {
        // Round 0: two flat groups and one with variance; round 1: one with variance, one flat; round 2: two more.
        List<List<RolloutGroup>> rounds = List.of(
                List.of(group("r0-all-right", 1, 1, 1, 1), group("r0-mixed", 1, 0, 0, 1), group("r0-all-wrong", 0, 0, 0, 0)),
                List.of(group("r1-mixed", 0, 0, 1, 0), group("r1-all-wrong", 0, 0, 0, 0), group("r1-flat", 1, 1, 1, 1)),
                List.of(group("r2-mixed", 0, 1, 1, 1), group("r2-mixed-too", 1, 0, 1, 0), group("r2-flat", 0, 0, 0, 0)));
        int[] calls = {0};
        DynamicSampler sampler = new DynamicSampler(true, "accuracy", 3, 10);
        DynamicSampler.Result r = sampler.collect(round -> {
            calls[0]++;
            return rounds.get(round);
        });
        assertThat(r.kept()).extracting(g -> g.sample().id()).containsExactly("r0-mixed", "r1-mixed", "r2-mixed");
        assertThat(r.rounds()).isEqualTo(3).isEqualTo(calls[0]);
        assertThat(r.groupsGenerated()).isEqualTo(9);
        assertThat(r.groupsWithVariance()).isEqualTo(4);
        assertThat(r.varianceShare()).isEqualTo(4.0 / 9);
        for (RolloutGroup g : r.kept()) {
            assertThat(DynamicSampler.hasVariance(g.scores("accuracy"))).isTrue();
        }
    }

    @Test
    void roundsAreBoundedWhenNoGroupVaries() {
        int[] calls = {0};
        DynamicSampler.Result r = new DynamicSampler(true, "accuracy", 2, 4).collect(round -> {
            calls[0]++;
            return List.of(group("flat-" + round, 1, 1, 1, 1), group("flat-b-" + round, 0, 0, 0, 0));
        });
        assertThat(calls[0]).isEqualTo(4);
        assertThat(r.rounds()).isEqualTo(4);
        assertThat(r.kept()).isEmpty();
        assertThat(r.groupsGenerated()).isEqualTo(8);
        assertThat(r.varianceShare()).isZero();
    }

    @Test
    void theMetricDecidesWhatCountsAsVariance() {
        // Accuracy is flat but the total reward varies through the length term.
        RolloutGroup g = group("flat-accuracy", 1, 1, 1, 1);
        assertThat(new DynamicSampler(true, "accuracy", 1, 1).collect(round -> List.of(g)).kept()).isEmpty();
        assertThat(new DynamicSampler(true, RolloutGroup.TOTAL, 1, 1).collect(round -> List.of(g)).kept())
                .containsExactly(g);
        assertThatThrownBy(() -> g.scores("entity")).hasMessageContaining("no part 'entity'");
    }

    @Test
    void switchedOffItKeepsEverythingInOneRound() {
        List<RolloutGroup> groups = List.of(group("a", 1, 1, 1, 1), group("b", 0, 1, 0, 0));
        DynamicSampler.Result r = new DynamicSampler(false, "accuracy", 2, 5).collect(round -> {
            assertThat(round).isZero();
            return groups;
        });
        assertThat(r.kept()).containsExactlyElementsOf(groups);
        assertThat(r.rounds()).isEqualTo(1);
        assertThat(r.varianceShare()).isEqualTo(0.5);
    }

    @Test
    void aGroupOfOneIsKept() {
        assertThat(DynamicSampler.hasVariance(new double[] {1})).isTrue();
        assertThat(DynamicSampler.hasVariance(new double[] {0.5, 0.5})).isFalse();
        assertThat(DynamicSampler.hasVariance(new double[] {0.5, 0.5000001})).isTrue();
    }
}

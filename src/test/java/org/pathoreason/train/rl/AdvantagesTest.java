package org.pathoreason.train.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.pathoreason.reward.RlMathVectors;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

class AdvantagesTest {

    private static Advantages.Options optionsOf(JsonNode c) {
        if (c.path("no_std").asBoolean(false)) {
            return Advantages.Options.drGrpo();
        }
        return new Advantages.Options(c.get("eps").asDouble(), true);
    }

    @Test
    void reproducesEveryGrpoAdvantageVector() {
        JsonNode cases = RlMathVectors.get("grpo_advantage");
        assertThat(cases.size()).isEqualTo(4);
        for (JsonNode c : cases) {
            double[] rewards = RlMathVectors.doubles(c.get("rewards"));
            double[] expected = RlMathVectors.doubles(c.get("expected"));
            double[] got = Advantages.ofGroup(rewards, optionsOf(c));
            for (int i = 0; i < expected.length; i++) {
                assertThat(got[i]).as("case %s index %d", c, i).isCloseTo(expected[i], within(1e-6));
            }
        }
    }

    @Test
    void ndArrayVersionEqualsArrayVersionOnTheVectorsAndAcrossGroups() {
        JsonNode cases = RlMathVectors.get("grpo_advantage");
        try (NDManager m = Engines.newManager()) {
            for (JsonNode c : cases) {
                double[] rewards = RlMathVectors.doubles(c.get("rewards"));
                double[] expected = RlMathVectors.doubles(c.get("expected"));
                float[] got = Advantages.ofBatch(m.create(toFloat(rewards)), rewards.length, optionsOf(c))
                        .toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) got[i]).isCloseTo(expected[i], within(1e-5));
                }
            }
            // Three groups of four in one batch: each normalised on its own.
            double[] batch = {1, 0, 0, 1, 0.5, 0.25, 1, 0, 3, 3, 3, 3};
            double[] plain = Advantages.ofBatch(batch, 4, Advantages.Options.trl());
            assertThat(plain[8]).isZero(); // equal rewards -> zero advantage, no NaN
            assertThat(plain).containsSubsequence(Advantages.ofGroup(new double[] {0.5, 0.25, 1, 0},
                    Advantages.Options.trl()));
            float[] nd = Advantages.ofBatch(m.create(toFloat(batch)), 4, Advantages.Options.trl()).toFloatArray();
            for (int i = 0; i < batch.length; i++) {
                assertThat((double) nd[i]).isCloseTo(plain[i], within(1e-5));
            }
        }
    }

    @Test
    void drGrpoOnlyCentresAndSingletonGroupsKeepTheirReward() {
        assertThat(Advantages.ofGroup(new double[] {2, 0}, Advantages.Options.drGrpo())).containsExactly(1, -1);
        // verl: a group of one has mean 0 and std 1.
        assertThat(Advantages.ofBatch(new double[] {0.7, -0.2}, 1, new Advantages.Options(0, true)))
                .containsExactly(0.7, -0.2);
        try (NDManager m = Engines.newManager()) {
            NDArray r = m.create(new float[] {0.7f, -0.2f});
            assertThat(Advantages.ofBatch(r, 1, new Advantages.Options(0, true)).toFloatArray())
                    .containsExactly(0.7f, -0.2f);
        }
    }

    @Test
    void dynamicSamplingKeepsOnlyGroupsWhoseRewardsDiffer() {
        assertThat(Advantages.groupsWithVariance(new double[] {1, 0, 1, 0, 0, 0, 0.5, 0.5, 0.5}, 3))
                .containsExactly(true, false, false);
        assertThat(Advantages.groupsWithVariance(new double[] {1, 1}, 1)).containsExactly(false, false);
    }

    @Test
    void rejectsBatchesThatDoNotSplitIntoGroups() {
        assertThatThrownBy(() -> Advantages.ofBatch(new double[5], 4, Advantages.Options.verl()))
                .hasMessageContaining("groups of 4");
        assertThatThrownBy(() -> new Advantages.Options(-1, true)).hasMessageContaining("eps");
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}

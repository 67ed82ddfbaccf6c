package org.pathoreason.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

class OverlongShapingTest {

    @Test
    void reproducesEveryOverlongVectorInBothForms() {
        JsonNode v = RlMathVectors.get("overlong_shaping");
        OverlongShaping s = new OverlongShaping(v.get("max_len").asInt(), v.get("buffer").asInt(),
                v.get("penalty").asDouble());
        JsonNode cases = v.get("cases");
        assertThat(cases.size()).isEqualTo(3);
        int[] lengths = new int[cases.size()];
        for (int i = 0; i < cases.size(); i++) {
            lengths[i] = cases.get(i).get("length").asInt();
            assertThat(s.reward(lengths[i])).isCloseTo(cases.get(i).get("expected").asDouble(), within(1e-12));
        }
        try (NDManager m = Engines.newManager()) {
            float[] nd = s.rewards(m.create(lengths)).toFloatArray();
            for (int i = 0; i < cases.size(); i++) {
                assertThat((double) nd[i]).isCloseTo(cases.get(i).get("expected").asDouble(), within(1e-6));
            }
        }
        assertThat(OverlongShaping.dapo(20480)).isEqualTo(s);
    }

    @Test
    void isZeroBeforeTheBufferLinearInsideAndHeldBeyondTheLimit() {
        OverlongShaping s = new OverlongShaping(100, 20, 0.5);
        assertThat(s.reward(80)).isZero();
        assertThat(s.reward(90)).isEqualTo(-0.25);
        assertThat(s.reward(100)).isEqualTo(-0.5);
        assertThat(s.reward(150)).isEqualTo(-0.5);
        assertThat(s.rewards(new int[] {0, 85})).containsExactly(0, -0.125);
        assertThatThrownBy(() -> new OverlongShaping(100, 200, 1)).hasMessageContaining("buffer");
    }
}

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

class KlEstimatorsTest {

    @Test
    void reproducesEveryKlVectorInPlainJavaAndNdArrays() {
        JsonNode cases = RlMathVectors.get("kl_per_token");
        assertThat(cases.size()).isEqualTo(2);
        try (NDManager m = Engines.newManager()) {
            for (JsonNode c : cases) {
                double logp = c.get("logp").asDouble();
                double ref = c.get("ref_logp").asDouble();
                for (KlEstimators.Kind k : KlEstimators.Kind.values()) {
                    double expected = c.get(k.name().toLowerCase()).asDouble();
                    assertThat(k.perToken(logp, ref)).as("%s %s", k, c).isCloseTo(expected, within(1e-12));
                    NDArray nd = k.perToken(m.create(new float[] {(float) logp}), m.create(new float[] {(float) ref}));
                    assertThat((double) nd.getFloat(0)).isCloseTo(expected, within(1e-6));
                }
            }
        }
    }

    @Test
    void k3IsClampedAsVerlLowVarKl() {
        // d = ref - logp = 30 is clamped to 20 before exp; the result then to 10.
        assertThat(KlEstimators.k3(0, 30)).isEqualTo(10);
        // d = -50 -> -20: exp(-20) + 20 - 1 = 19.000000002 -> 10.
        assertThat(KlEstimators.k3(0, -50)).isEqualTo(10);
        // Inside the range it is never negative.
        assertThat(KlEstimators.k3(-0.2, -0.9)).isPositive();
        try (NDManager m = Engines.newManager()) {
            float[] got = KlEstimators.Kind.K3.perToken(m.create(new float[] {0, 0, -0.2f}),
                    m.create(new float[] {30, -50, -0.9f})).toFloatArray();
            assertThat(got[0]).isEqualTo(10f);
            assertThat(got[1]).isEqualTo(10f);
            assertThat((double) got[2]).isCloseTo(KlEstimators.k3(-0.2, -0.9), within(1e-6));
        }
    }

    @Test
    void parsesVerlNames() {
        assertThat(KlEstimators.Kind.parse("low_var_kl")).isEqualTo(KlEstimators.Kind.K3);
        assertThat(KlEstimators.Kind.parse("mse")).isEqualTo(KlEstimators.Kind.K2);
        assertThat(KlEstimators.Kind.parse("K1")).isEqualTo(KlEstimators.Kind.K1);
        assertThatThrownBy(() -> KlEstimators.Kind.parse("full")).hasMessageContaining("k3 (low_var_kl)");
    }
}

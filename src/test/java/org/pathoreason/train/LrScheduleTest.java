package org.pathoreason.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Values of transformers' schedules (optimization.py lr lambdas) for peak 1.0, warmup 2, total 10. */
class LrScheduleTest {

    @Test
    void cosineWithWarmupAsTransformers() {
        LrSchedule s = LrSchedule.cosine(1.0, 2, 10, 0.0);
        assertThat(s.lr(0)).isEqualTo(0.0);
        assertThat(s.lr(1)).isEqualTo(0.5);
        assertThat(s.lr(2)).isEqualTo(1.0);
        // progress = (step - 2) / 8; factor = 0.5 * (1 + cos(pi * progress))
        assertThat(s.lr(4)).isCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.25)), within(1e-15));
        assertThat(s.lr(6)).isCloseTo(0.5, within(1e-15));
        assertThat(s.lr(10)).isCloseTo(0.0, within(1e-15));
        assertThat(s.lr(12)).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void cosineToMinRatio() {
        LrSchedule s = LrSchedule.cosine(2e-5, 2, 10, 0.1);
        assertThat(s.lr(1)).isCloseTo(1e-5, within(1e-20));
        assertThat(s.lr(6)).isCloseTo(2e-5 * (0.5 * 0.9 + 0.1), within(1e-20));
        assertThat(s.lr(10)).isCloseTo(2e-6, within(1e-20));
    }

    @Test
    void linearAndConstant() {
        LrSchedule lin = LrSchedule.linear(1.0, 2, 10);
        assertThat(lin.lr(0)).isEqualTo(0.0);
        assertThat(lin.lr(2)).isEqualTo(1.0);
        assertThat(lin.lr(6)).isEqualTo(0.5);
        assertThat(lin.lr(10)).isEqualTo(0.0);
        assertThat(lin.lr(11)).isEqualTo(0.0);
        LrSchedule c = LrSchedule.constant(3.0, 4);
        assertThat(c.lr(1)).isEqualTo(0.75);
        assertThat(c.lr(4)).isEqualTo(3.0);
        assertThat(c.lr(1000)).isEqualTo(3.0);
        assertThat(LrSchedule.constant(3.0, 0).lr(0)).isEqualTo(3.0);
        // No warmup: the first update already runs at the peak.
        assertThat(LrSchedule.cosine(1.0, 0, 10, 0).lr(0)).isEqualTo(1.0);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> LrSchedule.Kind.parse("cosin")).hasMessageContaining("'cosin'");
        assertThatThrownBy(() -> LrSchedule.cosine(1, 0, 0, 0)).hasMessageContaining("total steps");
        assertThatThrownBy(() -> LrSchedule.cosine(1, 0, 10, 1.5)).hasMessageContaining("min_lr_ratio");
    }
}

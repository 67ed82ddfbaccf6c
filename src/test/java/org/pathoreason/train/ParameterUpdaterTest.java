package org.pathoreason.train;

import org.pathoreason.engine.GradientRecording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

class ParameterUpdaterTest {

    @BeforeAll
    static void engine() {
        Engines.start();
    }

    private static void backward(NDManager root, NDArray p, float... c) {
        try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
            gc.backward(step.create(c).mul(p).sum());
        }
    }

    @Test
    void averagesClipsUpdatesAndZeroes() {
        try (NDManager root = Engines.newManager()) {
            NDArray p = root.create(new float[] {0f, 0f});
            p.setRequiresGradient(true);
            AdamW.Settings sgdLike = new AdamW.Settings(0.0, 0.0, 0.0, 0.0, n -> false);
            try (ParameterUpdater u = new ParameterUpdater(Map.of("w", p), sgdLike, LrSchedule.constant(0.5, 0),
                    1.0)) {
                backward(root, p, 6f, 8f);
                backward(root, p, 0f, 0f);
                ParameterUpdater.Update r = u.step(0.5);
                // Averaged gradient (3, 4) has norm 5, reported before clipping.
                assertThat(r.gradNorm()).isCloseTo(5.0, within(1e-6));
                assertThat(r.step()).isEqualTo(1);
                assertThat(r.lr()).isEqualTo(0.5);
                assertThat(r.applied()).isTrue();
                // With beta1 = beta2 = eps = 0 Adam moves each element by lr * sign(g).
                assertThat(p.toFloatArray()).containsExactly(-0.5f, -0.5f);
                try (NDArray g = p.getGradient()) {
                    assertThat(g.toFloatArray()).containsExactly(0f, 0f);
                }
            }
        }
    }

    @Test
    void nonFiniteGradientSkipsTheUpdateButCountsTheStep() {
        try (NDManager root = Engines.newManager()) {
            NDArray p = root.create(new float[] {1f, 2f});
            p.setRequiresGradient(true);
            try (ParameterUpdater u = new ParameterUpdater(Map.of("w", p), AdamW.Settings.defaults(),
                    LrSchedule.constant(0.1, 0), 1.0)) {
                backward(root, p, Float.NaN, 1f);
                ParameterUpdater.Update r = u.step();
                assertThat(r.applied()).isFalse();
                assertThat(r.gradNorm()).isNaN();
                assertThat(r.step()).isEqualTo(1);
                assertThat(p.toFloatArray()).containsExactly(1f, 2f);
                assertThat(u.optimizer().step("w")).isZero();
                try (NDArray g = p.getGradient()) {
                    assertThat(g.toFloatArray()).containsExactly(0f, 0f);
                }
                backward(root, p, 1f, 1f);
                assertThat(u.step().applied()).isTrue();
                assertThat(u.optimizer().step("w")).isEqualTo(1);
            }
        }
    }

    @Test
    void engineSeedPerStepRepeatsEngineRandomness() {
        try (NDManager root = Engines.newManager()) {
            StepRandom.seedEngine(3, 17, "dropout");
            float[] a = root.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(4)).toFloatArray();
            root.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(4));
            StepRandom.seedEngine(3, 17, "dropout");
            float[] b = root.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(4)).toFloatArray();
            StepRandom.seedEngine(3, 18, "dropout");
            float[] c = root.randomUniform(0, 1, new ai.djl.ndarray.types.Shape(4)).toFloatArray();
            assertThat(b).containsExactly(a);
            assertThat(c).isNotEqualTo(a);
        }
    }

    @Test
    void copyIntoConvertsTypes() {
        try (NDManager root = Engines.newManager()) {
            NDArray target = root.create(new float[] {0f, 0f});
            NDArray source = root.create(new double[] {1.5, -2.25});
            Tensors.copyInto(source, target);
            assertThat(target.toFloatArray()).containsExactly(1.5f, -2.25f);
            assertThat(root.getManagedArrays()).hasSize(2);
        }
    }

    @Test
    void gradientsOfFrozenParametersAreNotTouched() {
        try (NDManager root = Engines.newManager()) {
            NDArray trained = root.create(new float[] {1f});
            trained.setRequiresGradient(true);
            NDArray frozen = root.create(new float[] {1f});
            try (ParameterUpdater u = new ParameterUpdater(Map.of("a", trained, "b", frozen),
                    AdamW.Settings.defaults(), LrSchedule.constant(0.1, 0), 0)) {
                assertThat(u.optimizer().parameterNames()).isEqualTo(List.of("a"));
                backward(root, trained, 2f);
                assertThat(u.step().gradNorm()).isCloseTo(2.0, within(1e-6));
                assertThat(frozen.toFloatArray()).containsExactly(1f);
            }
        }
    }
}

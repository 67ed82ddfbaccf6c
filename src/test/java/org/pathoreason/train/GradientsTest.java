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

class GradientsTest {

    @BeforeAll
    static void engine() {
        Engines.start();
    }

    /** loss = sum(c * p): the gradient of p is c. */
    private static void backward(NDManager root, NDArray p, float... c) {
        try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
            gc.backward(step.create(c).mul(p).sum());
        }
    }

    private static float[] grad(NDArray p) {
        try (NDArray g = p.getGradient()) {
            return g.toFloatArray();
        }
    }

    @Test
    void djlPyTorchAccumulatesGradientsAcrossBackwardCallsAndCollectors() {
        try (NDManager root = Engines.newManager()) {
            NDArray p = root.create(new float[] {1f, 1f});
            p.setRequiresGradient(true);
            backward(root, p, 1f, 2f);
            backward(root, p, 10f, 20f);
            // A new GradientCollector does not zero: the two backward passes add up.
            assertThat(grad(p)).containsExactly(11f, 22f);
            Gradients.scale(List.of(p), 0.5);
            assertThat(grad(p)).containsExactly(5.5f, 11f);
            Gradients.zero(List.of(p));
            assertThat(grad(p)).containsExactly(0f, 0f);
            backward(root, p, 3f, 4f);
            assertThat(grad(p)).containsExactly(3f, 4f);
        }
    }

    @Test
    void clipsToGlobalNormLikeTorch() {
        try (NDManager root = Engines.newManager()) {
            NDArray a = root.create(new float[] {1f, 1f});
            NDArray b = root.create(new float[] {1f});
            NDArray noGrad = root.create(new float[] {1f});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            noGrad.setRequiresGradient(true); // requires a gradient but never got one: left out of the norm
            backward(root, a, 3f, 4f);
            backward(root, b, 12f);
            List<NDArray> params = List.of(a, b, noGrad, a); // a twice: tied, counted once
            assertThat(Gradients.globalNorm(params)).isCloseTo(13.0, within(1e-6));
            // Above the total: nothing changes.
            assertThat(Gradients.clipGlobalNorm(params, 20.0)).isCloseTo(13.0, within(1e-6));
            assertThat(grad(a)).containsExactly(3f, 4f);
            // Below: scaled by max_norm / (total + 1e-6), the pre-clip norm is returned.
            assertThat(Gradients.clipGlobalNorm(params, 6.5)).isCloseTo(13.0, within(1e-6));
            double coef = 6.5 / (13.0 + 1e-6);
            assertThat((double) grad(a)[0]).isCloseTo(3 * coef, within(1e-6));
            assertThat((double) grad(a)[1]).isCloseTo(4 * coef, within(1e-6));
            assertThat((double) grad(b)[0]).isCloseTo(12 * coef, within(1e-6));
            assertThat(Gradients.globalNorm(params)).isCloseTo(6.5, within(1e-5));
            // Clipping off.
            assertThat(Gradients.clipGlobalNorm(params, 0)).isCloseTo(6.5, within(1e-5));
            assertThat(Gradients.globalNorm(params)).isCloseTo(6.5, within(1e-5));
        }
    }

    @Test
    void trainableListsGradientParametersOnceInNameOrder() {
        try (NDManager root = Engines.newManager()) {
            NDArray tied = root.create(new float[] {1f});
            NDArray frozen = root.create(new float[] {1f});
            NDArray other = root.create(new float[] {1f});
            tied.setRequiresGradient(true);
            other.setRequiresGradient(true);
            Map<String, NDArray> t = Gradients.trainable(Map.of("model.embed_tokens.weight", tied,
                    "lm_head.weight", tied, "visual.x", frozen, "model.layers.0.w", other));
            assertThat(t.keySet()).containsExactly("lm_head.weight", "model.layers.0.w");
        }
    }

    @Test
    void copyIntoKeepsIdentityAndGradientFlag() {
        try (NDManager root = Engines.newManager()) {
            NDArray p = root.create(new float[] {1f, Float.NaN, 3f});
            p.setRequiresGradient(true);
            try (NDManager other = root.newSubManager()) {
                Tensors.copyInto(other.create(new float[] {7f, 8f, 9f}), p);
            }
            assertThat(p.toFloatArray()).containsExactly(7f, 8f, 9f);
            assertThat(p.hasGradient()).isTrue();
            backward(root, p, 1f, 2f, 3f);
            assertThat(grad(p)).containsExactly(1f, 2f, 3f);
        }
    }
}

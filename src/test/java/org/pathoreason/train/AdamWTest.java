package org.pathoreason.train;

import org.pathoreason.engine.GradientRecording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

class AdamWTest {

    @BeforeAll
    static void engine() {
        Engines.start();
    }

    /** Gradient of parameter k at step t, element i: arbitrary but fixed, with mixed signs and sizes. */
    private static double grad(int k, int t, int i) {
        return Math.sin(1.3 * (k + 1) * (i + 1) + 0.7 * t) * (1 + 0.5 * t) + (i == 0 && t == 2 ? 3.0 : 0.0);
    }

    /**
     * Sets each parameter's gradient to {@code grad(k, t, i)} through a real backward pass: loss = sum(G * p).
     */
    private static void backward(NDManager root, List<NDArray> params, int t) {
        try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
            NDArray loss = null;
            for (int k = 0; k < params.size(); k++) {
                NDArray p = params.get(k);
                float[] g = new float[(int) p.size()];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) grad(k, t, i);
                }
                NDArray term = step.create(g, p.getShape()).mul(p).sum();
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    @Test
    void theSinglePassKernelGivesTheOperationPathUpToRounding() {
        try (NDManager m = Engines.newManager()) {
            java.util.Random r = new java.util.Random(3);
            int n = 2 * AdamWKernel.CHUNK + 4099; // odd, not a multiple of any vector length; over chunk ends
            float[] p0 = new float[n];
            float[] g0 = new float[n];
            float[] m0 = new float[n];
            float[] v0 = new float[n];
            for (int i = 0; i < n; i++) {
                p0[i] = (float) r.nextGaussian();
                g0[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
                m0[i] = (float) (r.nextGaussian() * 0.01);
                v0[i] = (float) Math.abs(r.nextGaussian() * 1e-4);
            }
            double lr = 3e-4;
            double wd = 0.1;
            long t = 7;
            AdamWKernel.Scalars c = new AdamWKernel.Scalars((float) (1 - lr * wd), 0.9f, (float) (1 - 0.9), 0.999f,
                    (float) (1 - 0.999), 1e-8f, (float) Math.sqrt(1 - Math.pow(0.999, t)),
                    (float) (lr / (1 - Math.pow(0.9, t))));
            NDArray p = m.create(p0).duplicate();
            NDArray g = m.create(g0).duplicate();
            NDArray ma = m.create(m0).duplicate();
            NDArray va = m.create(v0).duplicate();
            assertThat(AdamWKernel.update(p, g, ma, va, c, true)).isTrue();
            // the operation path of AdamW, with its float32 scalar arrays
            NDArray pr = m.create(p0);
            NDArray mr = m.create(m0);
            NDArray vr = m.create(v0);
            NDArray gr = m.create(g0);
            pr.muli(m.create(c.decay()));
            mr.muli(m.create(c.beta1()));
            mr.addi(gr.mul(m.create(c.oneMinusBeta1())));
            vr.muli(m.create(c.beta2()));
            vr.addi(gr.square().muli(m.create(c.oneMinusBeta2())));
            NDArray denom = vr.sqrt().divi(m.create(c.biasCorrection2Sqrt())).addi(m.create(c.eps()));
            pr.subi(mr.div(denom).muli(m.create(c.stepSize())));
            assertWithinRounding(p.toFloatArray(), pr.toFloatArray(), p0, "p");
            assertWithinRounding(ma.toFloatArray(), mr.toFloatArray(), m0, "m");
            assertWithinRounding(va.toFloatArray(), vr.toFloatArray(), v0, "v");
            // a view that is not contiguous is left to the operation path
            NDArray strided = m.create(java.util.Arrays.copyOf(p0, 29 * 141)).reshape(29, 141).transpose();
            NDArray sg = m.create(java.util.Arrays.copyOf(g0, 29 * 141)).reshape(29, 141).transpose();
            assertThat(AdamWKernel.update(strided, sg, m.zeros(strided.getShape()), m.zeros(strided.getShape()), c,
                    true)).isFalse();
        }
    }

    @Test
    void matchesTorchAdamWStepByStep() {
        double[] init0 = {0.5, -1.0, 2.0, 0.25, -0.75, 1.5};
        double[] init1 = {0.1, -0.2, 0.3};
        double[] init2 = {1.0, 1.0, 1.0};
        double beta1 = 0.9, beta2 = 0.95, eps = 1e-6, wd = 0.1;
        double[] lrs = {0.05, 0.1, 0.08, 0.02, 0.06, 0.03};
        try (NDManager root = Engines.newManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("model.layers.0.mlp.down_proj.weight", root.create(toFloat(init0), new ai.djl.ndarray.types.Shape(2, 3)));
            params.put("model.layers.0.mlp.down_proj.bias", root.create(toFloat(init1)));
            params.put("model.layers.0.input_layernorm.weight", root.create(toFloat(init2)));
            params.values().forEach(p -> p.setRequiresGradient(true));
            List<NDArray> ordered = List.copyOf(params.values());
            double[][] expected = {init0.clone(), init1.clone(), init2.clone()};
            double[][] m = new double[3][];
            double[][] v = new double[3][];
            for (int k = 0; k < 3; k++) {
                m[k] = new double[expected[k].length];
                v[k] = new double[expected[k].length];
            }
            boolean[] decays = {true, false, false};
            try (AdamW opt = new AdamW(params, new AdamW.Settings(beta1, beta2, eps, wd,
                    AdamW.noDecayMatching(AdamW.DEFAULT_NO_DECAY)))) {
                assertThat(opt.decays("model.layers.0.mlp.down_proj.weight")).isTrue();
                assertThat(opt.decays("model.layers.0.mlp.down_proj.bias")).isFalse();
                assertThat(opt.decays("model.layers.0.input_layernorm.weight")).isFalse();
                for (int t = 1; t <= lrs.length; t++) {
                    backward(root, ordered, t);
                    opt.step(lrs[t - 1]);
                    Gradients.zero(ordered);
                    // torch.optim.AdamW (single-tensor path), in double precision.
                    double lr = lrs[t - 1];
                    for (int k = 0; k < 3; k++) {
                        for (int i = 0; i < expected[k].length; i++) {
                            double g = (float) grad(k, t, i);
                            if (decays[k]) {
                                expected[k][i] *= 1 - lr * wd;
                            }
                            m[k][i] = beta1 * m[k][i] + (1 - beta1) * g;
                            v[k][i] = beta2 * v[k][i] + (1 - beta2) * g * g;
                            double bc1 = 1 - Math.pow(beta1, t);
                            double bc2 = 1 - Math.pow(beta2, t);
                            double denom = Math.sqrt(v[k][i]) / Math.sqrt(bc2) + eps;
                            expected[k][i] -= lr / bc1 * m[k][i] / denom;
                        }
                        float[] actual = ordered.get(k).toFloatArray();
                        for (int i = 0; i < actual.length; i++) {
                            assertThat((double) actual[i]).as("param %d elem %d step %d", k, i, t)
                                    .isCloseTo(expected[k][i], within(2e-6 * Math.max(1, Math.abs(expected[k][i]))));
                        }
                    }
                }
                // The state equals the hand-computed moments too.
                float[] mState = opt.stateTensors().get("model.layers.0.mlp.down_proj.weight.exp_avg").toFloatArray();
                float[] vState = opt.stateTensors().get("model.layers.0.mlp.down_proj.weight.exp_avg_sq").toFloatArray();
                for (int i = 0; i < mState.length; i++) {
                    assertThat((double) mState[i]).isCloseTo(m[0][i], within(1e-5));
                    assertThat((double) vState[i]).isCloseTo(v[0][i], within(1e-5 * Math.max(1, v[0][i])));
                }
                assertThat(opt.step("model.layers.0.mlp.down_proj.weight")).isEqualTo(lrs.length);
            }
        }
    }

    @Test
    void skipsParametersWithoutGradientAndUpdatesTiedWeightsOnce() {
        try (NDManager root = Engines.newManager()) {
            NDArray tied = root.create(new float[] {1f, 2f});
            NDArray unused = root.create(new float[] {5f});
            NDArray frozen = root.create(new float[] {7f});
            tied.setRequiresGradient(true);
            unused.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("model.embed_tokens.weight", tied);
            params.put("lm_head.weight", tied);
            params.put("model.layers.0.unused.weight", unused);
            params.put("visual.blocks.0.frozen.weight", frozen);
            try (AdamW opt = new AdamW(params, AdamW.Settings.defaults().withWeightDecay(0.0))) {
                assertThat(opt.parameterNames()).containsExactly("lm_head.weight", "model.layers.0.unused.weight");
                backward(root, List.of(tied), 1);
                opt.step(0.1);
                // One Adam step moves each element by lr * sign(g) (|m_hat| / sqrt(v_hat) = 1); twice would be 0.2.
                float[] t = tied.toFloatArray();
                assertThat((double) t[0]).isCloseTo(1 - 0.1 * Math.signum(grad(0, 1, 0)), within(1e-5));
                assertThat((double) t[1]).isCloseTo(2 - 0.1 * Math.signum(grad(0, 1, 1)), within(1e-5));
                assertThat(opt.step("model.layers.0.unused.weight")).isZero();
                assertThat(unused.toFloatArray()).containsExactly(5f);
                assertThat(frozen.toFloatArray()).containsExactly(7f);
            }
        }
    }

    @Test
    void rejectsEverythingFrozenAndBadSettings() {
        try (NDManager root = Engines.newManager()) {
            Map<String, NDArray> params = Map.of("a", root.create(new float[] {1f}));
            assertThatThrownBy(() -> new AdamW(params, AdamW.Settings.defaults()))
                    .hasMessageContaining("no trainable parameters");
        }
        assertThatThrownBy(() -> new AdamW.Settings(1.0, 0.999, 1e-8, 0, n -> false)).hasMessageContaining("betas");
    }

    @Test
    void defaultNoDecayGroup() {
        var noDecay = AdamW.noDecayMatching(AdamW.DEFAULT_NO_DECAY);
        assertThat(noDecay.test("model.layers.3.self_attn.q_proj.bias")).isTrue();
        assertThat(noDecay.test("model.layers.3.input_layernorm.weight")).isTrue();
        assertThat(noDecay.test("model.norm.weight")).isTrue();
        assertThat(noDecay.test("visual.blocks.0.norm1.weight")).isTrue();
        assertThat(noDecay.test("visual.merger.ln_q.weight")).isTrue();
        assertThat(noDecay.test("model.embed_tokens.weight")).isTrue();
        assertThat(noDecay.test("model.layers.3.self_attn.q_proj.weight")).isFalse();
        assertThat(noDecay.test("visual.merger.mlp.0.weight")).isFalse();
        assertThat(noDecay.test("lm_head.weight")).isFalse();
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /**
     * The kernel and the engine round each operation the same way, except that the engine's vectorised kernels may
     * fuse a multiply and an add (one rounding instead of two) on some CPUs: bit-equal on the Intel development
     * machine, not on an AVX-512 AMD EPYC. A fused rounding moves a result by at most an ulp of the larger operand
     * of the final sum (the old value, or the increment: new minus old), so that bounds the difference.
     */
    private static void assertWithinRounding(float[] actual, float[] expected, float[] old, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        int differ = 0;
        for (int i = 0; i < actual.length; i++) {
            float d = Math.abs(actual[i] - expected[i]);
            float operand = Math.max(Math.abs(old[i]), Math.abs(expected[i] - old[i]));
            assertThat(d).as("%s[%d]: %s against %s (old %s)", what, i, actual[i], expected[i], old[i])
                    .isLessThanOrEqualTo(2 * Math.ulp(Math.max(operand, Math.abs(expected[i]))));
            differ += d > 0 ? 1 : 0;
        }
        System.out.printf("AdamW kernel %s: %d of %d values differ from the operation path in rounding%n", what,
                differ, actual.length);
    }
}

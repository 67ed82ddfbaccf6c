package org.pathoreason.train.rl;

import org.pathoreason.engine.GradientRecording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import org.pathoreason.reward.RlMathVectors;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

class PolicyLossTest {

    /** The GRPO preset's clipping with token-mean aggregation and no KL term, as verl's loss defaults. */
    private static PolicyLoss.Options base() {
        return RlOptions.grpo().policyLoss().withAggregation(LossAggregation.TOKEN_MEAN, 0)
                .withKl(KlEstimators.Kind.K3, 0);
    }


    @Test
    void reproducesEveryClippedTokenLossVectorInBothForms() {
        JsonNode v = RlMathVectors.get("clipped_token_loss");
        double low = v.get("clip_low").asDouble();
        double high = v.get("clip_high").asDouble();
        double c = v.get("dual_clip_c").asDouble();
        PolicyLoss loss = new PolicyLoss(base().withClip(low, high).withDualClip(c));
        JsonNode cases = v.get("cases");
        assertThat(cases.size()).isEqualTo(4);
        try (NDManager m = Engines.newManager()) {
            for (JsonNode k : cases) {
                double a = k.get("advantage").asDouble();
                double ratio = k.get("ratio").asDouble();
                double expected = k.get("expected").asDouble();
                assertThat(PolicyLoss.tokenLoss(ratio, a, low, high, c)).as("%s", k).isCloseTo(expected,
                        within(1e-12));
                // One token whose ratio is the case's: logp = log(ratio), oldLogp = 0.
                double[][] logp = {{Math.log(ratio)}};
                double[][] old = {{0}};
                double[][] mask = {{1}};
                assertThat(loss.compute(logp, old, new double[] {a}, mask, null).loss()).isCloseTo(expected,
                        within(1e-12));
                PolicyLoss.Output out = loss.compute(m.create(new float[][] {{(float) Math.log(ratio)}}),
                        m.create(new float[][] {{0}}), m.create(new float[] {(float) a}), m.create(new float[][] {{1}}),
                        null);
                assertThat((double) out.loss().getFloat()).as("%s", k).isCloseTo(expected, within(1e-6));
            }
        }
    }

    @Test
    void dualClipBoundsTheLossOfNegativeAdvantagesOnlyWhenOn() {
        // A = -1, ratio 5: clipped surrogate 5, dual clip caps at c = 3.
        assertThat(PolicyLoss.tokenLoss(5, -1, 0.2, 0.2, 3)).isEqualTo(3);
        assertThat(PolicyLoss.tokenLoss(5, -1, 0.2, 0.2, 0)).isEqualTo(5);
        // Positive advantages are never dual-clipped.
        assertThat(PolicyLoss.tokenLoss(5, 1, 0.2, 0.2, 3)).isEqualTo(-1.2);
        PolicyLoss.Stats s = new PolicyLoss(base()).compute(new double[][] {{Math.log(5)}},
                new double[][] {{0}}, new double[] {-1}, new double[][] {{1}}, null);
        assertThat(s.dualClipFraction()).isEqualTo(1);
        assertThat(s.loss()).isCloseTo(3, within(1e-12));
    }

    @Test
    void ndArrayVersionEqualsArrayVersionForEveryModeWithKlAndStats() {
        Random rnd = new Random(7);
        int b = 6;
        int t = 9;
        double[][] logp = new double[b][t];
        double[][] old = new double[b][t];
        double[][] ref = new double[b][t];
        double[][] mask = new double[b][t];
        double[] adv = new double[b];
        for (int i = 0; i < b; i++) {
            adv[i] = rnd.nextGaussian();
            int len = 2 + rnd.nextInt(t - 1);
            for (int j = 0; j < t; j++) {
                old[i][j] = -Math.abs(rnd.nextGaussian()) - 0.05;
                logp[i][j] = old[i][j] + 0.4 * rnd.nextGaussian(); // ratios well outside [0.8, 1.28] too
                ref[i][j] = old[i][j] + 0.3 * rnd.nextGaussian();
                mask[i][j] = j < len ? 1 : 0;
            }
        }
        try (NDManager m = Engines.newManager()) {
            for (LossAggregation agg : LossAggregation.values()) {
                for (double dual : new double[] {0, 3}) {
                    PolicyLoss.Options o = RlOptions.dapo().policyLoss().withDualClip(dual).withAggregation(agg, 0)
                            .withKl(KlEstimators.Kind.K3, 0.05);
                    PolicyLoss pl = new PolicyLoss(o);
                    PolicyLoss.Stats plain = pl.compute(logp, old, adv, mask, ref);
                    PolicyLoss.Output nd = pl.compute(m.create(LossAggregationTest.toFloat(logp)),
                            m.create(LossAggregationTest.toFloat(old)), m.create(AdvantagesTest.toFloat(adv)),
                            m.create(LossAggregationTest.toFloat(mask)), m.create(LossAggregationTest.toFloat(ref)));
                    Map<String, Double> a = plain.toMap();
                    Map<String, Double> n = nd.stats().toMap();
                    for (String key : a.keySet()) {
                        assertThat(n.get(key)).as("%s dual=%s %s", agg, dual, key).isCloseTo(a.get(key),
                                within(2e-5 * Math.max(1, Math.abs(a.get(key)))));
                    }
                    assertThat((double) nd.loss().getFloat()).isCloseTo(plain.loss(), within(2e-5));
                    assertThat(plain.clipFraction()).isGreaterThan(0);
                    assertThat(plain.clipFraction()).isCloseTo(plain.clipFractionLow() + plain.clipFractionHigh(),
                            within(1e-12));
                }
            }
        }
    }

    @Test
    void gradientOfTheNdArrayLossMatchesFiniteDifferencesOfThePlainLoss() {
        double[][] logp = {{-0.9, -1.4, -0.2}, {-2.0, -0.7, -0.3}};
        double[][] old = {{-1.0, -1.0, -0.5}, {-1.2, -0.8, -0.3}};
        double[][] ref = {{-1.1, -1.2, -0.4}, {-1.5, -0.6, -0.2}};
        double[][] mask = {{1, 1, 1}, {1, 1, 0}};
        double[] adv = {0.8, -1.3};
        PolicyLoss.Options base = base().withAggregation(LossAggregation.SEQ_MEAN_TOKEN_MEAN, 0);
        for (double klCoef : new double[] {0, 0.1}) {
            PolicyLoss pl = new PolicyLoss(base.withKl(KlEstimators.Kind.K3, klCoef));
            float[] grad = ndGradient(pl, logp, old, adv, mask, ref);
            double h = 1e-6;
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    double[][] up = copy(logp);
                    double[][] down = copy(logp);
                    up[i][j] += h;
                    down[i][j] -= h;
                    double fd = (pl.compute(up, old, adv, mask, ref).loss() - pl.compute(down, old, adv, mask, ref)
                            .loss()) / (2 * h);
                    assertThat((double) grad[i * 3 + j]).as("kl %s: d loss / d logp[%d][%d]", klCoef, i, j)
                            .isCloseTo(fd, within(1e-4));
                }
            }
            // The padded token gets no gradient.
            assertThat(grad[5]).isZero();
            if (klCoef == 0) {
                // A clipped token (ratio exp(0.3) > 1.2 with A > 0) gets none from the surrogate.
                assertThat(grad[2]).isZero();
                assertThat(grad[0]).isNotZero();
            }
        }
    }

    private static float[] ndGradient(PolicyLoss pl, double[][] logp, double[][] old, double[] adv, double[][] mask,
                                      double[][] ref) {
        try (NDManager m = Engines.newManager()) {
            NDArray x = m.create(LossAggregationTest.toFloat(logp));
            x.setRequiresGradient(true);
            try (GradientCollector gc = GradientRecording.open()) {
                PolicyLoss.Output out = pl.compute(x, m.create(LossAggregationTest.toFloat(old)),
                        m.create(AdvantagesTest.toFloat(adv)), m.create(LossAggregationTest.toFloat(mask)),
                        m.create(LossAggregationTest.toFloat(ref)));
                gc.backward(out.loss());
                return x.getGradient().toFloatArray();
            }
        }
    }

    @Test
    void refusesAKlTermWithoutReferenceAndBadOptions() {
        PolicyLoss pl = new PolicyLoss(base().withKl(KlEstimators.Kind.K3, 0.01));
        assertThatThrownBy(() -> pl.compute(new double[][] {{0}}, new double[][] {{0}}, new double[] {1},
                new double[][] {{1}}, null)).hasMessageContaining("reference");
        assertThatThrownBy(() -> base().withDualClip(0.5)).hasMessageContaining("dualClipC");
        assertThatThrownBy(() -> base().withClip(1.5, 0.2)).hasMessageContaining("clipLow");
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}

package org.pathoreason.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

class SamplerTest {

    /** Draws {@code draws} tokens from rows of the given distribution (the last row inactive) and counts them. */
    private static double[] frequencies(SamplingOptions opts, float[] probs, int draws) {
        int rows = 1001;
        try (NDManager m = Engines.newManager()) {
            float[] logits = new float[probs.length * rows];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < probs.length; i++) {
                    logits[r * probs.length + i] = (float) Math.log(probs[i]);
                }
            }
            NDArray l = m.create(logits, new ai.djl.ndarray.types.Shape(rows, probs.length));
            boolean[] active = new boolean[rows];
            java.util.Arrays.fill(active, 0, rows - 1, true);
            Sampler s = new Sampler(opts);
            double[] counts = new double[probs.length];
            int done = 0;
            while (done < draws) {
                try (NDManager step = m.newSubManager()) {
                    Sampler.Choice c = s.choose(l, active);
                    assertThat(c.tokens()[rows - 1]).isZero();
                    for (int r = 0; r < rows - 1 && done < draws; r++, done++) {
                        int t = (int) c.tokens()[r];
                        counts[t]++;
                        assertThat(c.logProbs()[r]).isCloseTo((float) Math.log(probs[t]), Offset.offset(1e-5f));
                    }
                }
            }
            for (int i = 0; i < counts.length; i++) {
                counts[i] /= draws;
            }
            return counts;
        }
    }

    @Test
    void suppressedTokensAreNeverChosen() {
        try (NDManager m = Engines.newManager()) {
            NDArray l = m.create(new float[] {0f, 5f, 1f}, new ai.djl.ndarray.types.Shape(1, 3));
            Sampler greedy = new Sampler(SamplingOptions.greedy(1), java.util.Set.of(1L));
            Sampler.Choice c = greedy.choose(l, new boolean[] {true});
            assertThat(c.tokens()).containsExactly(2);
            // the log-prob is still that of the unmodified distribution
            double z = Math.log(Math.exp(0) + Math.exp(5) + Math.exp(1));
            assertThat(c.logProbs()[0]).isCloseTo((float) (1 - z), Offset.offset(1e-5f));
            Sampler hot = new Sampler(SamplingOptions.sampling(1, 2.0, 5), java.util.Set.of(1L));
            for (int i = 0; i < 50; i++) {
                assertThat(hot.choose(l, new boolean[] {true}).tokens()[0]).isNotEqualTo(1L);
            }
        }
    }

    @Test
    void temperatureOneSamplesTheModelDistribution() {
        double[] f = frequencies(SamplingOptions.sampling(1, 1.0, 1), new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 20000);
        assertThat(f[0]).isCloseTo(0.1, Offset.offset(0.015));
        assertThat(f[1]).isCloseTo(0.2, Offset.offset(0.015));
        assertThat(f[2]).isCloseTo(0.3, Offset.offset(0.015));
        assertThat(f[3]).isCloseTo(0.4, Offset.offset(0.015));
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // 0.4 alone is under 0.5, 0.4 + 0.3 reaches it: tokens 3 and 2 remain, renormalised to 4/7 and 3/7
        double[] f = frequencies(SamplingOptions.sampling(1, 1.0, 2).withTopP(0.5),
                new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 10000);
        assertThat(f[0] + f[1]).isZero();
        assertThat(f[3]).isCloseTo(4.0 / 7, Offset.offset(0.02));
    }

    @Test
    void topKAndTemperature() {
        double[] k2 = frequencies(SamplingOptions.sampling(1, 1.0, 3).withTopK(2),
                new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 10000);
        assertThat(k2[0] + k2[1]).isZero();
        assertThat(k2[2]).isCloseTo(3.0 / 7, Offset.offset(0.02));
        // temperature 0.5 squares the probabilities: 0.01, 0.04, 0.09, 0.16 over 0.30
        double[] cold = frequencies(SamplingOptions.sampling(1, 0.5, 4), new float[] {0.1f, 0.2f, 0.3f, 0.4f},
                10000);
        assertThat(cold[3]).isCloseTo(0.16 / 0.30, Offset.offset(0.02));
        double[] greedy = frequencies(SamplingOptions.greedy(1), new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 1000);
        assertThat(greedy[3]).isEqualTo(1.0);
    }
}

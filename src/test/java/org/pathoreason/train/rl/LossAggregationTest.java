package org.pathoreason.train.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.pathoreason.reward.RlMathVectors;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

class LossAggregationTest {

    /** The vector's ragged token losses, right-padded with garbage that the mask must hide. */
    private static double[][][] paddedVector() {
        JsonNode rows = RlMathVectors.get("loss_aggregation").get("token_losses");
        int t = 0;
        for (JsonNode r : rows) {
            t = Math.max(t, r.size());
        }
        double[][] loss = new double[rows.size()][t];
        double[][] mask = new double[rows.size()][t];
        for (int i = 0; i < rows.size(); i++) {
            java.util.Arrays.fill(loss[i], 99);
            for (int j = 0; j < rows.get(i).size(); j++) {
                loss[i][j] = rows.get(i).get(j).asDouble();
                mask[i][j] = 1;
            }
        }
        return new double[][][] {loss, mask};
    }

    @Test
    void reproducesEveryAggregationVectorInBothForms() {
        JsonNode v = RlMathVectors.get("loss_aggregation");
        double[][][] lm = paddedVector();
        int checked = 0;
        try (NDManager m = Engines.newManager()) {
            for (String mode : new String[] {"token-mean", "seq-mean-token-sum", "seq-mean-token-mean"}) {
                double expected = v.get(mode).asDouble();
                LossAggregation a = LossAggregation.parse(mode);
                assertThat(a.aggregate(lm[0], lm[1])).as(mode).isCloseTo(expected, within(1e-12));
                float nd = a.aggregate(m.create(toFloat(lm[0])), m.create(toFloat(lm[1]))).getFloat();
                assertThat((double) nd).as(mode).isCloseTo(expected, within(1e-6));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3);
    }

    @Test
    void drGrpoNormaliserIsAFixedLengthAsInVerl() {
        double[][][] lm = paddedVector();
        // verl: sum of sequence sums / mask width (here 4), or / the configured fixed length.
        assertThat(LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM.aggregate(lm[0], lm[1])).isEqualTo(7.0 / 4);
        assertThat(LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM.aggregate(lm[0], lm[1], 1024)).isEqualTo(7.0 / 1024);
        try (NDManager m = Engines.newManager()) {
            float nd = LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM
                    .aggregate(m.create(toFloat(lm[0])), m.create(toFloat(lm[1])), 1024).getFloat();
            assertThat((double) nd).isCloseTo(7.0 / 1024, within(1e-7));
        }
    }

    @Test
    void emptyRowsAndMasksGiveZeroNotNaN() {
        double[][] loss = {{5, 5}, {1, 3}};
        double[][] mask = {{0, 0}, {1, 1}};
        assertThat(LossAggregation.SEQ_MEAN_TOKEN_MEAN.aggregate(loss, mask)).isEqualTo(1.0);
        assertThat(LossAggregation.TOKEN_MEAN.aggregate(loss, new double[][] {{0, 0}, {0, 0}})).isZero();
        try (NDManager m = Engines.newManager()) {
            assertThat(LossAggregation.SEQ_MEAN_TOKEN_MEAN.aggregate(m.create(toFloat(loss)), m.create(toFloat(mask)))
                    .getFloat()).isEqualTo(1f);
            assertThat(LossAggregation.TOKEN_MEAN.aggregate(m.create(toFloat(loss)),
                    m.create(new boolean[][] {{false, false}, {false, false}})).getFloat()).isZero();
        }
    }

    @Test
    void rejectsUnknownNamesAndRaggedRows() {
        assertThatThrownBy(() -> LossAggregation.parse("mean")).hasMessageContaining("token-mean");
        assertThatThrownBy(() -> LossAggregation.TOKEN_MEAN.aggregate(new double[][] {{1, 2}, {1}},
                new double[][] {{1, 1}, {1}})).hasMessageContaining("padded");
    }

    static float[][] toFloat(double[][] d) {
        float[][] f = new float[d.length][];
        for (int i = 0; i < d.length; i++) {
            f[i] = AdvantagesTest.toFloat(d[i]);
        }
        return f;
    }
}

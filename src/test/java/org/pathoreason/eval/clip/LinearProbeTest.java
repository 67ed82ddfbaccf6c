package org.pathoreason.eval.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.pathoreason.eval.ClassificationMetrics;
import org.pathoreason.util.Json;

/**
 * The probe's logistic regression and the classification metrics against scikit-learn 1.9.1 on the committed
 * features of {@code tools/make_probe_fixture.py}: the same test predictions (so accuracies equal), coefficients and
 * intercepts and probabilities within 1e-6 absolute, metrics within 1e-12.
 */
class LinearProbeTest {

    static final Path FIXTURE = Path.of("src/test/resources/org/pathoreason/eval/clip/probe-fixture.json");

    @Test
    void matchesScikitLearn() throws Exception {
        JsonNode root = Json.MAPPER.readTree(Files.readString(FIXTURE));
        int fits = 0;
        for (JsonNode c : root.get("cases")) {
            double[][] trainX = matrix(c.get("train_x"));
            int[] trainY = ints(c.get("train_y"));
            double[][] testX = matrix(c.get("test_x"));
            int[] testY = ints(c.get("test_y"));
            for (JsonNode f : c.get("fits")) {
                String what = c.get("name").asText() + " C=" + f.get("C").asDouble();
                LogisticRegression m = LogisticRegression.fit(trainX, trainY,
                        LogisticRegression.Options.withC(f.get("C").asDouble()));
                assertThat(m.converged()).as(what).isTrue();
                int[] pred = m.predict(testX);
                assertThat(pred).as(what + " predictions").containsExactly(ints(f.get("test_pred")));
                assertThat(ClassificationMetrics.accuracy(testY, pred)).as(what)
                        .isEqualTo(f.get("test_accuracy").asDouble());
                double[][] coef = matrix(f.get("coef"));
                double[][] ours = m.coef();
                assertThat(ours.length).isEqualTo(coef.length);
                for (int k = 0; k < coef.length; k++) {
                    for (int j = 0; j < coef[k].length; j++) {
                        assertThat(Math.abs(ours[k][j] - coef[k][j])).as(what + " coef[%d][%d]", k, j)
                                .isLessThan(1e-6);
                    }
                    assertThat(Math.abs(m.intercept()[k] - f.get("intercept").get(k).asDouble()))
                            .as(what + " intercept").isLessThan(1e-6);
                }
                double[][] proba = matrix(f.get("test_proba"));
                double[][] p = m.probabilities(testX);
                for (int i = 0; i < p.length; i++) {
                    for (int k = 0; k < p[i].length; k++) {
                        assertThat(Math.abs(p[i][k] - proba[i][k])).isLessThan(1e-6);
                    }
                }
                if (c.has("metrics") && f.get("C").asDouble() == 1.0) {
                    JsonNode mt = c.get("metrics");
                    assertThat(ClassificationMetrics.balancedAccuracy(testY, pred))
                            .isCloseTo(mt.get("balanced_accuracy").asDouble(), within());
                    assertThat(ClassificationMetrics.weightedF1(testY, pred))
                            .isCloseTo(mt.get("weighted_f1").asDouble(), within());
                    assertThat(ClassificationMetrics.cohenKappa(testY, pred, ClassificationMetrics.KappaWeights.NONE))
                            .isCloseTo(mt.get("cohen_kappa").asDouble(), within());
                    assertThat(ClassificationMetrics.cohenKappa(testY, pred,
                            ClassificationMetrics.KappaWeights.QUADRATIC))
                            .isCloseTo(mt.get("quadratic_kappa").asDouble(), within());
                    // AUROC on scikit-learn's probabilities, so the check is of the metric alone
                    assertThat(ClassificationMetrics.macroAuroc(testY, proba))
                            .isCloseTo(mt.get("macro_auroc").asDouble(), within());
                }
                fits++;
            }
        }
        assertThat(fits).isEqualTo(5);
    }

    static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-12);
    }

    static double[][] matrix(JsonNode n) {
        double[][] out = new double[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            out[i] = new double[n.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = n.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }
}

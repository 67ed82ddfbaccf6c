package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AttentionMilTest {

    /** Bags of noise; a positive bag (label 1) hides a few instances shifted along one direction. */
    static List<float[][]> bags(int count, int d, long seed, int[] labels) {
        Random r = new Random(seed);
        List<float[][]> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int n = 20 + r.nextInt(30);
            labels[b] = b % 2;
            float[][] bag = new float[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    bag[i][j] = (float) r.nextGaussian();
                }
            }
            if (labels[b] == 1) {
                for (int i = 0; i < 3; i++) {
                    bag[i][0] += 3;
                    bag[i][1] -= 3;
                }
            }
            out.add(bag);
        }
        return out;
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        int[] labels = new int[2];
        List<float[][]> data = bags(2, 6, 1, labels);
        AttentionMil m = AttentionMil.train(data, labels, 2, new AttentionMil.Options(5, 1, 1e-9, 0, 3), null);
        double[][] grads = m.zeroGrads();
        m.loss(data.get(1), 1, grads);
        double[][] params = m.parameters();
        double eps = 1e-6;
        for (int p = 0; p < params.length; p++) {
            for (int j = 0; j < params[p].length; j += 3) {
                double keep = params[p][j];
                params[p][j] = keep + eps;
                double up = m.loss(data.get(1), 1, null);
                params[p][j] = keep - eps;
                double down = m.loss(data.get(1), 1, null);
                params[p][j] = keep;
                double numeric = (up - down) / (2 * eps);
                assertThat(grads[p][j]).as("parameter %d[%d]", p, j)
                        .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-6 + 1e-4 * Math.abs(numeric)));
            }
        }
    }

    @Test
    void learnsWhichBagsHoldPositiveInstancesAndAttendsToThem() {
        int[] trainLabels = new int[60];
        List<float[][]> train = bags(60, 16, 2, trainLabels);
        int[] testLabels = new int[40];
        List<float[][]> test = bags(40, 16, 3, testLabels);
        List<Double> losses = new ArrayList<>();
        AttentionMil m = AttentionMil.train(train, trainLabels, 2, new AttentionMil.Options(32, 30, 2e-3, 1e-5, 0),
                (e, loss, acc) -> losses.add(loss));
        assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) / 3);
        int right = 0;
        double attentionOnPositives = 0;
        for (int i = 0; i < test.size(); i++) {
            AttentionMil.Prediction p = m.predict(test.get(i));
            right += p.label() == testLabels[i] ? 1 : 0;
            if (testLabels[i] == 1) {
                attentionOnPositives += p.attention()[0] + p.attention()[1] + p.attention()[2];
            }
        }
        assertThat(right).isGreaterThanOrEqualTo(36); // 90% on held-out bags (chance: 50%)
        // the 3 positive instances of ~35 get most of the attention in positive bags
        assertThat(attentionOnPositives / 20).isGreaterThan(0.5);

        java.nio.file.Path file = dir.resolve("mil.json");
        m.save(file, List.of("negative", "positive"));
        AttentionMil.Saved back = AttentionMil.load(file);
        assertThat(back.classNames()).containsExactly("negative", "positive");
        assertThat(back.model().predict(test.get(1)).probabilities()).containsExactly(
                m.predict(test.get(1)).probabilities());
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path dir;
}

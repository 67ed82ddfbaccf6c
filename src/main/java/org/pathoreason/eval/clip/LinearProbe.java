package org.pathoreason.eval.clip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pathoreason.eval.ClassificationMetrics;

/**
 * The probe protocols of the CLIP papers on frozen embeddings: a linear probe ({@link LogisticRegression}) with a
 * fixed C or the C of a sweep that scores best (balanced accuracy) on a validation split, refitted on the training
 * split; and few-shot probes with k = 1, 2, 4, ... training examples per class, each over several seeded random
 * subsets, reported as mean and standard deviation.
 */
public final class LinearProbe {

    /** CONCH's sweep: C from 1e-6 to 1e5, one value per decade. */
    public static final double[] DEFAULT_CS = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3, 1e4, 1e5};

    private LinearProbe() {
    }

    /** Figures of one fitted probe on the test split. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Scores(double c, int trainSamples, int testSamples, int classes, double accuracy,
            double balancedAccuracy, double weightedF1, double cohenKappa, int iterations) {
    }

    /** A sweep's chosen C and every C's validation balanced accuracy. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Sweep(Scores test, Map<String, Double> validationBalancedAccuracy) {
    }

    /** Few-shot figures at one k. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Shot(int k, int subsets, double accuracyMean, double accuracySd, double balancedAccuracyMean,
            double balancedAccuracySd) {
    }

    public static Scores fit(double[][] trainX, int[] trainY, double[][] testX, int[] testY, double c) {
        LogisticRegression m = LogisticRegression.fit(trainX, trainY, LogisticRegression.Options.withC(c));
        int[] pred = m.predict(testX);
        return new Scores(c, trainX.length, testX.length, m.classes().length,
                ClassificationMetrics.accuracy(testY, pred), ClassificationMetrics.balancedAccuracy(testY, pred),
                ClassificationMetrics.weightedF1(testY, pred),
                ClassificationMetrics.cohenKappa(testY, pred, ClassificationMetrics.KappaWeights.NONE),
                m.iterations());
    }

    /** Chooses C on the validation split, then fits on the training split with it and scores the test split. */
    public static Sweep sweep(double[][] trainX, int[] trainY, double[][] valX, int[] valY, double[][] testX,
            int[] testY, double[] cs) {
        Map<String, Double> byC = new LinkedHashMap<>();
        double best = Double.NEGATIVE_INFINITY;
        double bestC = cs[0];
        for (double c : cs) {
            LogisticRegression m = LogisticRegression.fit(trainX, trainY, LogisticRegression.Options.withC(c));
            double v = ClassificationMetrics.balancedAccuracy(valY, m.predict(valX));
            byC.put(Double.toString(c), v);
            if (v > best) {
                best = v;
                bestC = c;
            }
        }
        return new Sweep(fit(trainX, trainY, testX, testY, bestC), byC);
    }

    /**
     * Few-shot probes: for each k of 1, 2, 4, ... up to {@code maxK} (and the smallest class's size), {@code subsets}
     * random draws of k training examples per class (seeded), each fitted with C and scored on the whole test split.
     */
    public static List<Shot> fewShot(double[][] trainX, int[] trainY, double[][] testX, int[] testY, double c,
            int maxK, int subsets, long seed) {
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < trainY.length; i++) {
            byClass.computeIfAbsent(trainY[i], x -> new ArrayList<>()).add(i);
        }
        int smallest = byClass.values().stream().mapToInt(List::size).min().orElse(0);
        List<Shot> out = new ArrayList<>();
        for (int k = 1; k <= Math.min(maxK, smallest); k *= 2) {
            double[] acc = new double[subsets];
            double[] bal = new double[subsets];
            for (int s = 0; s < subsets; s++) {
                SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + k * 101L + s);
                List<Integer> chosen = new ArrayList<>();
                for (List<Integer> members : byClass.values()) {
                    List<Integer> pool = new ArrayList<>(members);
                    for (int t = 0; t < k; t++) {
                        chosen.add(pool.remove(rnd.nextInt(pool.size())));
                    }
                }
                double[][] x = new double[chosen.size()][];
                int[] y = new int[chosen.size()];
                for (int i = 0; i < chosen.size(); i++) {
                    x[i] = trainX[chosen.get(i)];
                    y[i] = trainY[chosen.get(i)];
                }
                Scores sc = fit(x, y, testX, testY, c);
                acc[s] = sc.accuracy();
                bal[s] = sc.balancedAccuracy();
            }
            out.add(new Shot(k, subsets, mean(acc), sd(acc), mean(bal), sd(bal)));
        }
        return out;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n - 1), 0 for one value. */
    static double sd(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    /** float rows widened to double. */
    public static double[][] widen(float[][] rows) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = new double[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) {
                out[i][j] = rows[i][j];
            }
        }
        return out;
    }
}

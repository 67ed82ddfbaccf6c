package org.pathoreason.eval.stats;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.special.Beta;

/**
 * Paired comparisons of two models answering the same questions, and of a difference replicated over seeds:
 * <ul>
 *   <li>{@link #mcnemarExact}: McNemar's exact test on the questions only one of the two got right (the two-sided
 *       binomial test of the discordant counts at p = 1/2, as statsmodels' {@code mcnemar(exact=True)});</li>
 *   <li>{@link #bootstrapMeanDifference}: the paired bootstrap percentile interval of {@code mean(second - first)}
 *       over questions (questions drawn with replacement, both models' scores of a question kept together);</li>
 *   <li>{@link #tInterval}: Student's t interval of a mean over independent replicates (one difference per seed).</li>
 * </ul>
 * Everything is deterministic: the bootstrap draws from a seeded generator.
 */
public final class PairedTests {

    /** Bootstrap resamples used by the pipelines' summaries. */
    public static final int RESAMPLES = 10_000;
    /** Confidence level of every interval the pipelines report. */
    public static final double LEVEL = 0.95;

    private PairedTests() {
    }

    /**
     * A point estimate with a confidence interval.
     *
     * @param estimate the estimate (a mean difference)
     * @param low lower end of the interval
     * @param high upper end of the interval
     */
    public record Interval(double estimate, double low, double high) {

        /** Whether the interval lies entirely above {@code value}. */
        public boolean above(double value) {
            return low > value;
        }

        /** Whether the interval lies entirely below {@code value}. */
        public boolean below(double value) {
            return high < value;
        }
    }

    /**
     * McNemar's exact test.
     *
     * @param onlyFirst questions the first model got right and the second wrong
     * @param onlySecond questions the second got right and the first wrong
     * @return the two-sided p-value: {@code min(1, 2 P(X <= min(b, c)))} with {@code X ~ Binomial(b + c, 1/2)}; 1
     *     when there is no discordant question
     */
    public static double mcnemarExact(int onlyFirst, int onlySecond) {
        if (onlyFirst < 0 || onlySecond < 0) {
            throw new IllegalArgumentException("discordant counts must be >= 0, got " + onlyFirst + " and "
                    + onlySecond);
        }
        int n = onlyFirst + onlySecond;
        if (n == 0) {
            return 1.0;
        }
        int k = Math.min(onlyFirst, onlySecond);
        if (2 * k == n) {
            return 1.0;
        }
        // P(X <= k) = I_{1/2}(n - k, k + 1), the regularized incomplete beta, computed directly: commons-math's
        // BinomialDistribution takes it as 1 - I_{1/2}(k + 1, n - k) and loses a tail below 1e-16 to cancellation
        double tail = Beta.regularizedBeta(0.5, n - k, k + 1.0);
        return Math.min(1.0, 2 * tail);
    }

    /**
     * The paired bootstrap of {@code mean(second[i] - first[i])}: {@code resamples} draws of n questions with
     * replacement, the percentile interval at {@code level} (the draws' {@code (1 - level) / 2} and
     * {@code (1 + level) / 2} quantiles, linearly interpolated as numpy's default {@code percentile}).
     *
     * @param first the first model's score per question
     * @param second the second model's score on the same questions, in the same order
     */
    public static Interval bootstrapMeanDifference(double[] first, double[] second, int resamples, double level,
            long seed) {
        if (first.length != second.length) {
            throw new IllegalArgumentException("paired scores differ in length: " + first.length + " and "
                    + second.length);
        }
        if (first.length == 0) {
            throw new IllegalArgumentException("no paired questions");
        }
        checkLevel(level);
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be >= 1, got " + resamples);
        }
        int n = first.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = second[i] - first[i];
        }
        double[] means = new double[resamples];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += d[rnd.nextInt(n)];
            }
            means[r] = sum / n;
        }
        Arrays.sort(means);
        double tail = (1 - level) / 2;
        return new Interval(mean(d), quantile(means, tail), quantile(means, 1 - tail));
    }

    /**
     * Student's t interval of the mean of independent replicates: {@code mean +- t(level, k - 1) * sd / sqrt(k)}
     * with the sample standard deviation.
     *
     * @throws IllegalArgumentException with fewer than two values
     */
    public static Interval tInterval(double[] values, double level) {
        checkLevel(level);
        int k = values.length;
        if (k < 2) {
            throw new IllegalArgumentException("a t interval needs at least two values, got " + k);
        }
        double m = mean(values);
        double ss = 0;
        for (double v : values) {
            ss += (v - m) * (v - m);
        }
        double se = Math.sqrt(ss / (k - 1)) / Math.sqrt(k);
        double t = new TDistribution(null, k - 1).inverseCumulativeProbability((1 + level) / 2);
        return new Interval(m, m - t * se, m + t * se);
    }

    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** The q-quantile of sorted values, linear between order statistics (numpy's default). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static void checkLevel(double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("confidence level must be in (0, 1), got " + level);
        }
    }
}

package org.pathoreason.eval.clip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cross-modal retrieval over paired embeddings (pair i is image i and text i): for each image the rank of its text
 * among all texts, and for each text the rank of its image among all images, by cosine similarity; recall@K is the
 * share ranked within the first K (ties counted in the item's favour, as
 * {@link org.pathoreason.eval.ClassificationMetrics} does), with mean and median rank (1 = first).
 */
public final class Retrieval {

    /** The K values reported: R@1, R@5, R@10 as the CLIP papers, R@20 as Patho-R1. */
    public static final int[] KS = {1, 5, 10, 20};

    private Retrieval() {
    }

    public static Result evaluate(float[][] images, float[][] texts) {
        int n = images.length;
        if (n == 0 || texts.length != n) {
            throw new IllegalArgumentException("retrieval needs as many texts as images (and some): " + n + " images, "
                    + texts.length + " texts");
        }
        int[] i2t = new int[n];
        int[] t2i = new int[n];
        float[][] sim = new float[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int k = 0; k < images[i].length; k++) {
                    s += images[i][k] * texts[j][k];
                }
                sim[i][j] = s;
            }
        }
        for (int i = 0; i < n; i++) {
            int better = 0;
            int betterImages = 0;
            for (int j = 0; j < n; j++) {
                better += sim[i][j] > sim[i][i] ? 1 : 0;
                betterImages += sim[j][i] > sim[i][i] ? 1 : 0;
            }
            i2t[i] = better + 1;
            t2i[i] = betterImages + 1;
        }
        return new Result(n, Direction.of(i2t), Direction.of(t2i));
    }

    /** Both directions. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(int pairs, Direction imageToText, Direction textToImage) {
    }

    /**
     * One direction's figures.
     *
     * @param recall {@code R@K} by name ({@code R@1}, ...)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Direction(Map<String, Double> recall, double meanRank, double medianRank) {

        static Direction of(int[] ranks) {
            Map<String, Double> recall = new LinkedHashMap<>();
            for (int k : KS) {
                int hits = 0;
                for (int r : ranks) {
                    hits += r <= k ? 1 : 0;
                }
                recall.put("R@" + k, hits / (double) ranks.length);
            }
            int[] sorted = ranks.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
            return new Direction(recall, Arrays.stream(ranks).average().orElse(Double.NaN), median);
        }

        public double recallAt(int k) {
            return recall.getOrDefault("R@" + k, Double.NaN);
        }
    }
}

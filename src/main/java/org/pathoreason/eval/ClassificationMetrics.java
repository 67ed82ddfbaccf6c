package org.pathoreason.eval;

import java.util.Arrays;

/**
 * Metrics over integer class labels for zero-shot classification and retrieval: accuracy, balanced accuracy
 * (scikit-learn's {@code balanced_accuracy_score}: mean recall over the classes present in the gold labels) and
 * recall@K in both retrieval directions.
 */
public final class ClassificationMetrics {

    private ClassificationMetrics() {
    }

    public static double accuracy(int[] gold, int[] predicted) {
        checkSameLength(gold, predicted);
        int right = 0;
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] == predicted[i]) {
                right++;
            }
        }
        return gold.length == 0 ? Double.NaN : right / (double) gold.length;
    }

    /** Mean per-class recall over the classes that occur in {@code gold}. */
    public static double balancedAccuracy(int[] gold, int[] predicted) {
        checkSameLength(gold, predicted);
        int classes = Arrays.stream(gold).max().orElse(-1) + 1;
        int[] total = new int[Math.max(classes, 0)];
        int[] hit = new int[Math.max(classes, 0)];
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < 0) {
                throw new IllegalArgumentException("negative class label " + gold[i] + " at " + i);
            }
            total[gold[i]]++;
            if (predicted[i] == gold[i]) {
                hit[gold[i]]++;
            }
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < total.length; c++) {
            if (total[c] > 0) {
                sum += hit[c] / (double) total[c];
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
    }

    /**
     * Image-to-text recall@K: the share of images with at least one of their texts among the K texts scored
     * highest for them. Images without any text are left out.
     *
     * @param similarity {@code similarity[i][j]}: score of image i against text j
     * @param imageOfText the image each text belongs to
     */
    public static double imageToTextRecall(double[][] similarity, int[] imageOfText, int k) {
        int images = 0;
        int hits = 0;
        for (int i = 0; i < similarity.length; i++) {
            double[] row = similarity[i];
            checkRow(row, imageOfText.length, i);
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < row.length; j++) {
                if (imageOfText[j] == i) {
                    best = Math.max(best, row[j]);
                }
            }
            if (best == Double.NEGATIVE_INFINITY) {
                continue;
            }
            images++;
            if (rank(row, best) < k) {
                hits++;
            }
        }
        return images == 0 ? Double.NaN : hits / (double) images;
    }

    /** Text-to-image recall@K: the share of texts whose image is among the K images scored highest for them. */
    public static double textToImageRecall(double[][] similarity, int[] imageOfText, int k) {
        int texts = imageOfText.length;
        int hits = 0;
        double[] column = new double[similarity.length];
        for (int j = 0; j < texts; j++) {
            for (int i = 0; i < similarity.length; i++) {
                checkRow(similarity[i], texts, i);
                column[i] = similarity[i][j];
            }
            if (rank(column, column[imageOfText[j]]) < k) {
                hits++;
            }
        }
        return texts == 0 ? Double.NaN : hits / (double) texts;
    }

    /** Recall@K with one text per image (text i describes image i). */
    public static double[] recallAtK(double[][] similarity, int k) {
        int[] identity = new int[similarity.length];
        Arrays.setAll(identity, i -> i);
        return new double[] {imageToTextRecall(similarity, identity, k), textToImageRecall(similarity, identity, k)};
    }

    /** How many scores beat {@code score} strictly: a tie is resolved in the item's favour. */
    private static int rank(double[] scores, double score) {
        int better = 0;
        for (double s : scores) {
            if (s > score) {
                better++;
            }
        }
        return better;
    }

    private static void checkRow(double[] row, int texts, int i) {
        if (row.length != texts) {
            throw new IllegalArgumentException("similarity row " + i + " has " + row.length + " columns for "
                    + texts + " texts");
        }
    }

    private static void checkSameLength(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("gold and predicted differ in length: " + a.length + " vs " + b.length);
        }
    }
}

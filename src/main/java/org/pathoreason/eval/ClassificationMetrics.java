package org.pathoreason.eval;

import java.util.Arrays;

/**
 * Metrics over integer class labels for zero-shot classification, probes and retrieval, each as scikit-learn
 * computes it: accuracy, balanced accuracy ({@code balanced_accuracy_score}: mean recall over the classes present in
 * the gold labels), weighted F1 ({@code f1_score(average="weighted")}), Cohen's kappa ({@code cohen_kappa_score},
 * unweighted, linear or quadratic), macro one-vs-rest AUROC ({@code roc_auc_score(multi_class="ovr")}) and recall@K
 * in both retrieval directions.
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

    /** Cohen's kappa weighting, as scikit-learn's {@code weights} argument. */
    public enum KappaWeights { NONE, LINEAR, QUADRATIC }

    /**
     * F1 per label averaged with the labels' gold counts as weights, over the labels in gold or predicted (an
     * undefined precision or recall counts as 0).
     */
    public static double weightedF1(int[] gold, int[] predicted) {
        checkSameLength(gold, predicted);
        int k = labelCount(gold, predicted);
        int[] tp = new int[k];
        int[] goldCount = new int[k];
        int[] predCount = new int[k];
        for (int i = 0; i < gold.length; i++) {
            goldCount[gold[i]]++;
            predCount[predicted[i]]++;
            if (gold[i] == predicted[i]) {
                tp[gold[i]]++;
            }
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            double denominator = goldCount[c] + predCount[c];
            double f1 = denominator == 0 ? 0 : 2.0 * tp[c] / denominator;
            sum += f1 * goldCount[c];
        }
        return gold.length == 0 ? Double.NaN : sum / gold.length;
    }

    /** Cohen's kappa over the labels in gold or predicted ({@code cohen_kappa_score}); ordinal weights for grades. */
    public static double cohenKappa(int[] gold, int[] predicted, KappaWeights weights) {
        checkSameLength(gold, predicted);
        int k = labelCount(gold, predicted);
        int[] present = new int[k];
        java.util.Arrays.fill(present, -1);
        int m = 0;
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < gold.length; i++) {
                if (gold[i] == c || predicted[i] == c) {
                    present[c] = m++;
                    break;
                }
            }
        }
        double[][] observed = new double[m][m];
        for (int i = 0; i < gold.length; i++) {
            observed[present[gold[i]]][present[predicted[i]]]++;
        }
        double[] rows = new double[m];
        double[] cols = new double[m];
        double n = gold.length;
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                rows[a] += observed[a][b];
                cols[b] += observed[a][b];
            }
        }
        double num = 0;
        double den = 0;
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                double w = switch (weights) {
                    case NONE -> a == b ? 0 : 1;
                    case LINEAR -> Math.abs(a - b);
                    case QUADRATIC -> (double) (a - b) * (a - b);
                };
                num += w * observed[a][b];
                den += w * rows[a] * cols[b] / n;
            }
        }
        return den == 0 ? Double.NaN : 1 - num / den;
    }

    /**
     * Macro one-vs-rest AUROC: for each class, the probability that a sample of it scores higher on that class than
     * a sample of another class (ties count half), averaged over the classes in {@code gold}.
     *
     * @param scores per sample, one score per class (probabilities, as scikit-learn requires)
     */
    public static double macroAuroc(int[] gold, double[][] scores) {
        if (scores.length != gold.length) {
            throw new IllegalArgumentException(gold.length + " labels but " + scores.length + " score rows");
        }
        int k = scores.length == 0 ? 0 : scores[0].length;
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < k; c++) {
            int pos = 0;
            for (int g : gold) {
                pos += g == c ? 1 : 0;
            }
            if (pos == 0) {
                continue;
            }
            if (pos == gold.length) {
                throw new IllegalArgumentException("AUROC needs more than one class in the gold labels");
            }
            Integer[] order = new Integer[gold.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            final int col = c;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[a][col], scores[b][col]));
            // Mann-Whitney U with mid-ranks for ties
            double rankSum = 0;
            for (int i = 0; i < order.length; ) {
                int j = i;
                while (j + 1 < order.length && scores[order[j + 1]][c] == scores[order[i]][c]) {
                    j++;
                }
                double midRank = (i + j) / 2.0 + 1;
                for (int t = i; t <= j; t++) {
                    if (gold[order[t]] == c) {
                        rankSum += midRank;
                    }
                }
                i = j + 1;
            }
            int neg = gold.length - pos;
            sum += (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
            classes++;
        }
        return classes == 0 ? Double.NaN : sum / classes;
    }

    private static int labelCount(int[] gold, int[] predicted) {
        int k = 0;
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < 0 || predicted[i] < 0) {
                throw new IllegalArgumentException("negative class label at " + i);
            }
            k = Math.max(k, Math.max(gold[i], predicted[i]) + 1);
        }
        return k;
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

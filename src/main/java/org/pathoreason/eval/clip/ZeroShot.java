package org.pathoreason.eval.clip;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.eval.ClassificationMetrics;
import org.pathoreason.eval.ConfusionMatrix;

/**
 * Zero-shot classification as CLIP and CONCH do it: each class's prompts are encoded and L2-normalised, averaged
 * and normalised again into one class embedding; an image's logits are {@code exp(logit_scale)} times its cosine
 * similarity to each class, its prediction the highest, its class probabilities their softmax.
 */
public final class ZeroShot {

    private ZeroShot() {
    }

    /** Class embeddings {@code [K][D]} in the prompts' class order. */
    public static float[][] classEmbeddings(ClipEncoder encoder, ZeroShotPrompts prompts) {
        List<String> labels = prompts.labels();
        List<String> all = new ArrayList<>();
        int[] count = new int[labels.size()];
        for (int c = 0; c < labels.size(); c++) {
            List<String> p = prompts.prompts(labels.get(c));
            count[c] = p.size();
            all.addAll(p);
        }
        float[][] emb = encoder.texts(all);
        float[][] out = new float[labels.size()][];
        int at = 0;
        for (int c = 0; c < labels.size(); c++) {
            int d = emb[at].length;
            double[] mean = new double[d];
            for (int i = 0; i < count[c]; i++) {
                for (int j = 0; j < d; j++) {
                    mean[j] += emb[at + i][j];
                }
            }
            at += count[c];
            out[c] = normalised(mean);
        }
        return out;
    }

    static float[] normalised(double[] v) {
        double n = 0;
        for (double x : v) {
            n += x * x;
        }
        n = Math.max(Math.sqrt(n), 1e-12);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    /** {@code scale * image . class} for every image and class. */
    public static double[][] logits(float[][] images, float[][] classes, double scale) {
        double[][] out = new double[images.length][classes.length];
        for (int i = 0; i < images.length; i++) {
            for (int c = 0; c < classes.length; c++) {
                double s = 0;
                for (int j = 0; j < images[i].length; j++) {
                    s += images[i][j] * classes[c][j];
                }
                out[i][c] = scale * s;
            }
        }
        return out;
    }

    /**
     * Scores predictions from logits against gold class indices.
     *
     * @param labels the class labels, for the confusion matrix
     * @param ordinal the classes are ordered grades: quadratic kappa is the kappa to read
     */
    public static Result score(double[][] logits, int[] gold, List<String> labels, boolean ordinal) {
        int n = gold.length;
        int[] pred = new int[n];
        double[][] proba = new double[n][];
        ConfusionMatrix cm = new ConfusionMatrix();
        for (int i = 0; i < n; i++) {
            proba[i] = softmax(logits[i]);
            int best = 0;
            for (int c = 1; c < logits[i].length; c++) {
                if (logits[i][c] > logits[i][best]) {
                    best = c;
                }
            }
            pred[i] = best;
            cm.add(labels.get(gold[i]), labels.get(best));
        }
        double auroc;
        try {
            auroc = ClassificationMetrics.macroAuroc(gold, proba);
        } catch (IllegalArgumentException e) {
            auroc = Double.NaN; // one class only among the gold labels
        }
        return new Result(n, labels.size(), ClassificationMetrics.accuracy(gold, pred),
                ClassificationMetrics.balancedAccuracy(gold, pred), ClassificationMetrics.weightedF1(gold, pred),
                ClassificationMetrics.cohenKappa(gold, pred, ClassificationMetrics.KappaWeights.NONE),
                ClassificationMetrics.cohenKappa(gold, pred, ClassificationMetrics.KappaWeights.QUADRATIC), auroc,
                1.0 / labels.size(), ordinal, pred, cm);
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = Math.exp(z[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < z.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /**
     * Zero-shot figures.
     *
     * @param chance the accuracy of a uniform guess, {@code 1 / classes}
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(int samples, int classes, double accuracy, double balancedAccuracy, double weightedF1,
            double cohenKappa, double quadraticKappa, double macroAuroc, double chance, boolean ordinal,
            @JsonIgnore int[] predictions, @JsonIgnore ConfusionMatrix confusion) {
    }
}

package org.pathoreason.eval.clip;

import java.util.Arrays;

/**
 * Slide-level zero-shot classification from tile logits, as MI-Zero pools them: for each class, the mean of the
 * {@code k} highest tile logits of that class (all tiles when a slide has fewer than {@code k}); the slide's
 * prediction is the class with the highest pooled score. CONCH and MI-Zero report k = 1, 5, 10, 50 and 100.
 */
public final class MiZero {

    /** The top-k values MI-Zero and CONCH report. */
    public static final int[] STANDARD_K = {1, 5, 10, 50, 100};

    private MiZero() {
    }

    /** Pooled class scores of one slide from its tiles' logits {@code [tiles][classes]}. */
    public static double[] pool(double[][] tileLogits, int k) {
        if (tileLogits.length == 0) {
            throw new IllegalArgumentException("a slide needs at least one tile");
        }
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        int classes = tileLogits[0].length;
        double[] out = new double[classes];
        double[] column = new double[tileLogits.length];
        int take = Math.min(k, tileLogits.length);
        for (int c = 0; c < classes; c++) {
            for (int t = 0; t < tileLogits.length; t++) {
                column[t] = tileLogits[t][c];
            }
            Arrays.sort(column);
            double s = 0;
            for (int i = 0; i < take; i++) {
                s += column[column.length - 1 - i];
            }
            out[c] = s / take;
        }
        return out;
    }
}

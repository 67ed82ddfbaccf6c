package org.pathoreason.data.synth;

import java.util.SplittableRandom;

/**
 * One image's stain appearance under the Beer-Lambert law: each stain (haematoxylin, eosin, and the orange-red of
 * erythrocytes and keratin) has an optical-density colour vector and a strength; a pixel's transmitted light is
 * {@code background * exp(-sum(density * strength * vector))}. Sampling the vectors and strengths per image gives
 * the slide-to-slide stain variation of real H&E.
 */
final class StainModel {

    // Reference optical-density vectors (R, G, B), close to those measured for H&E by colour deconvolution.
    private static final double[] HAEMATOXYLIN = {0.56, 0.72, 0.41};
    private static final double[] EOSIN = {0.17, 0.80, 0.58};
    private static final double[] ERYTHROCYTE = {0.10, 0.72, 0.69};

    private final double[][] vectors = new double[3][];
    private final double[] strength = new double[3];
    private final double[] background = new double[3];

    private StainModel() {
    }

    /** A stain appearance drawn around the reference, as a batch of slides from different labs would show. */
    static StainModel sample(SplittableRandom rnd) {
        StainModel m = new StainModel();
        m.vectors[0] = jitter(HAEMATOXYLIN, 0.07, rnd);
        m.vectors[1] = jitter(EOSIN, 0.07, rnd);
        m.vectors[2] = jitter(ERYTHROCYTE, 0.04, rnd);
        m.strength[0] = 1.55 + 0.5 * rnd.nextDouble();
        m.strength[1] = 1.05 + 0.55 * rnd.nextDouble();
        m.strength[2] = 1.6 + 0.5 * rnd.nextDouble();
        double light = 0.95 + 0.05 * rnd.nextDouble();
        for (int c = 0; c < 3; c++) {
            m.background[c] = Math.min(1.0, light * (0.975 + 0.025 * rnd.nextDouble())) * 255.0;
        }
        return m;
    }

    private static double[] jitter(double[] v, double amount, SplittableRandom rnd) {
        double[] out = new double[3];
        double norm = 0;
        for (int c = 0; c < 3; c++) {
            out[c] = Math.max(0.02, v[c] + amount * (2 * rnd.nextDouble() - 1));
            norm += out[c] * out[c];
        }
        norm = Math.sqrt(norm);
        for (int c = 0; c < 3; c++) {
            out[c] /= norm;
        }
        return out;
    }

    /** Optical density of channel {@code c} for stain amounts (0..1 each). */
    double opticalDensity(int c, double h, double e, double r) {
        return h * strength[0] * vectors[0][c] + e * strength[1] * vectors[1][c] + r * strength[2] * vectors[2][c];
    }

    /** Transmitted intensity (0..255, unclamped) of channel {@code c}. */
    double intensity(int c, double h, double e, double r) {
        return background[c] * Math.exp(-opticalDensity(c, h, e, r));
    }
}

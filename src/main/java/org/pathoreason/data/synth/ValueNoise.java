package org.pathoreason.data.synth;

import java.util.SplittableRandom;

/**
 * Smooth random fields (value noise: random values on a lattice, interpolated with a smoothstep), used for stain
 * unevenness, fibre directions and fine granular texture.
 */
final class ValueNoise {

    private final int cols;
    private final int rows;
    private final double cell;
    private final float[] lattice;

    /**
     * A field covering {@code width x height} pixels with lattice spacing {@code cellPx}; values in [-1, 1].
     */
    ValueNoise(int width, int height, double cellPx, SplittableRandom rnd) {
        this.cell = Math.max(1e-3, cellPx);
        this.cols = (int) Math.ceil(width / cell) + 2;
        this.rows = (int) Math.ceil(height / cell) + 2;
        this.lattice = new float[cols * rows];
        for (int i = 0; i < lattice.length; i++) {
            lattice[i] = (float) (2 * rnd.nextDouble() - 1);
        }
    }

    /** The field's value at a pixel position (positions outside the area are clamped). */
    double at(double x, double y) {
        double gx = Math.max(0, Math.min(cols - 1.001, x / cell));
        double gy = Math.max(0, Math.min(rows - 1.001, y / cell));
        int x0 = (int) gx;
        int y0 = (int) gy;
        double fx = smooth(gx - x0);
        double fy = smooth(gy - y0);
        int i = y0 * cols + x0;
        double top = lattice[i] + (lattice[i + 1] - lattice[i]) * fx;
        double bottom = lattice[i + cols] + (lattice[i + cols + 1] - lattice[i + cols]) * fx;
        return top + (bottom - top) * fy;
    }

    /** Samples the whole field at pixel centres into a row-major array. */
    float[] raster(int width, int height) {
        // Lattice cell and smoothed fraction per column, computed once rather than per pixel.
        int[] x0 = new int[width];
        float[] fx = new float[width];
        for (int x = 0; x < width; x++) {
            double gx = Math.max(0, Math.min(cols - 1.001, (x + 0.5) / cell));
            x0[x] = (int) gx;
            fx[x] = (float) smooth(gx - x0[x]);
        }
        float[] out = new float[width * height];
        for (int y = 0; y < height; y++) {
            double gy = Math.max(0, Math.min(rows - 1.001, (y + 0.5) / cell));
            int y0 = (int) gy;
            float fy = (float) smooth(gy - y0);
            int base = y0 * cols;
            int row = y * width;
            for (int x = 0; x < width; x++) {
                int i = base + x0[x];
                float f = fx[x];
                float top = lattice[i] + (lattice[i + 1] - lattice[i]) * f;
                float bottom = lattice[i + cols] + (lattice[i + cols + 1] - lattice[i + cols]) * f;
                out[row + x] = top + (bottom - top) * fy;
            }
        }
        return out;
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }
}

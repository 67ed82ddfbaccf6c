package org.pathoreason.data.synth;

/** Separable Gaussian blur of a float plane, with edge pixels repeated beyond the border. */
final class Blur {

    private Blur() {
    }

    static void gaussian(float[] plane, int width, int height, double sigma) {
        if (sigma < 0.05) {
            return;
        }
        int radius = Math.max(1, (int) Math.ceil(2.5 * sigma));
        float[] kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            sum += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= (float) sum;
        }
        // Pad each line with repeated edge values so the inner loop needs no bounds checks.
        float[] line = new float[Math.max(width, height) + 2 * radius];
        float[] tmp = new float[plane.length];
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int k = 0; k < radius; k++) {
                line[k] = plane[row];
                line[radius + width + k] = plane[row + width - 1];
            }
            System.arraycopy(plane, row, line, radius, width);
            for (int x = 0; x < width; x++) {
                float acc = 0;
                for (int k = 0; k < kernel.length; k++) {
                    acc += kernel[k] * line[x + k];
                }
                tmp[row + x] = acc;
            }
        }
        for (int x = 0; x < width; x++) {
            for (int k = 0; k < radius; k++) {
                line[k] = tmp[x];
                line[radius + height + k] = tmp[(height - 1) * width + x];
            }
            for (int y = 0; y < height; y++) {
                line[radius + y] = tmp[y * width + x];
            }
            for (int y = 0; y < height; y++) {
                float acc = 0;
                for (int k = 0; k < kernel.length; k++) {
                    acc += kernel[k] * line[y + k];
                }
                plane[y * width + x] = acc;
            }
        }
    }
}

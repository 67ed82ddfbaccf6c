package org.pathoreason.data.pdf;

import java.awt.image.BufferedImage;

/**
 * The difference hash (dHash) of an image: the mean brightness of a 9x8 grid of cells, one bit per pair of
 * horizontal neighbours that gets brighter. Near-identical images (re-encoded, rescaled) differ in a few bits.
 * Cells are averaged over up to 32x32 samples each, so the hash does not hinge on single pixels.
 */
public final class PerceptualHash {

    private PerceptualHash() {
    }

    public static long of(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        double[][] grey = new double[8][9];
        for (int cy = 0; cy < 8; cy++) {
            int y0 = cy * h / 8;
            int y1 = Math.max(y0 + 1, (cy + 1) * h / 8);
            int sy = Math.max(1, (y1 - y0) / 32);
            for (int cx = 0; cx < 9; cx++) {
                int x0 = cx * w / 9;
                int x1 = Math.max(x0 + 1, (cx + 1) * w / 9);
                int sx = Math.max(1, (x1 - x0) / 32);
                double sum = 0;
                int n = 0;
                for (int y = y0; y < Math.min(y1, h); y += sy) {
                    for (int x = x0; x < Math.min(x1, w); x += sx) {
                        int rgb = image.getRGB(x, y);
                        int a = rgb >>> 24;
                        // transparent pixels read as white, as on a page
                        double r = ((rgb >> 16) & 255) * a / 255.0 + 255 - a;
                        double g = ((rgb >> 8) & 255) * a / 255.0 + 255 - a;
                        double b = (rgb & 255) * a / 255.0 + 255 - a;
                        sum += 0.299 * r + 0.587 * g + 0.114 * b;
                        n++;
                    }
                }
                grey[cy][cx] = n == 0 ? 255 : sum / n;
            }
        }
        long hash = 0;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                hash = (hash << 1) | (grey[y][x + 1] > grey[y][x] ? 1 : 0);
            }
        }
        return hash;
    }

    /** The number of differing bits. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    public static String hex(long hash) {
        return String.format("%016x", hash);
    }
}

package org.pathoreason.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Bicubic resizing that reproduces Pillow's {@code Image.resize(size, BICUBIC)} on 8-bit RGB images bit for bit:
 * the cubic convolution kernel with a = -0.5 and support 2, widened by the scale factor when shrinking
 * (antialiasing), separable passes (horizontal first, each rounded to 8 bits), and Pillow's fixed-point
 * coefficients (22 fractional bits) with its rounding and clipping. Hugging Face's Qwen2-VL image processor resizes
 * with Pillow, so matching it keeps pixel values identical to the reference pipeline. Java2D's own bicubic
 * interpolation is a different filter (no antialiasing when shrinking, other edge handling) and is not used.
 */
public final class PilBicubic {

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PilBicubic() {
    }

    /** Pillow's bicubic kernel (a = -0.5), evaluated exactly as Pillow evaluates it. */
    static double kernel(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Per output index: first input index, number of taps, and fixed-point weights ({@code ksize} per index). */
    record Coefficients(int ksize, int[] bounds, int[] weights) {
    }

    static Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = SUPPORT * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = kernel((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                        : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coefficients(ksize, bounds, weights);
    }

    private static int clip8(int v) {
        int shifted = v >> PRECISION_BITS;
        return shifted < 0 ? 0 : Math.min(shifted, 255);
    }

    /**
     * Resizes an RGB image (any type; read through {@link ImageFiles#toRgb} first for Pillow-exact colour handling)
     * to {@code width x height}, returning a new {@link BufferedImage#TYPE_INT_RGB}.
     */
    public static BufferedImage resize(BufferedImage rgb, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + " x " + height);
        }
        BufferedImage src = rgb.getType() == BufferedImage.TYPE_INT_RGB ? rgb : ImageFiles.toRgb(rgb);
        int inW = src.getWidth();
        int inH = src.getHeight();
        int[] in = pixels(src);
        int[] out = resize(in, inW, inH, width, height);
        BufferedImage result = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        System.arraycopy(out, 0, pixels(result), 0, out.length);
        return result;
    }

    private static int[] pixels(BufferedImage img) {
        if (img.getRaster().getDataBuffer() instanceof DataBufferInt db && db.getNumBanks() == 1
                && img.getRaster().getParent() == null && img.getRaster().getSampleModelTranslateX() == 0
                && img.getRaster().getSampleModelTranslateY() == 0) {
            return db.getData();
        }
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /** Resizes packed 0xRRGGBB pixels (row-major) as Pillow does. */
    static int[] resize(int[] in, int inW, int inH, int outW, int outH) {
        boolean horizontal = outW != inW;
        boolean vertical = outH != inH;
        Coefficients vert = coefficients(inH, outH);
        int firstRow = vert.bounds()[0];
        int lastRow = vert.bounds()[outH * 2 - 2] + vert.bounds()[outH * 2 - 1];
        int[] img = in;
        int w = inW;
        int rowOffset = 0;
        if (horizontal) {
            Coefficients hor = coefficients(inW, outW);
            int rows = lastRow - firstRow;
            int[] tmp = new int[outW * rows];
            horizontalPass(in, inW, firstRow, rows, hor, outW, tmp);
            img = tmp;
            w = outW;
            rowOffset = firstRow;
        }
        if (!vertical) {
            return img == in ? in.clone() : img;
        }
        int[] out = new int[w * outH];
        verticalPass(img, w, rowOffset, vert, outH, out);
        return out;
    }

    private static void horizontalPass(int[] in, int inW, int firstRow, int rows, Coefficients c, int outW,
            int[] out) {
        int ksize = c.ksize();
        int[] bounds = c.bounds();
        int[] kk = c.weights();
        for (int yy = 0; yy < rows; yy++) {
            int rowStart = (yy + firstRow) * inW;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = bounds[xx * 2];
                int xmax = bounds[xx * 2 + 1];
                int kOff = xx * ksize;
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int x = 0; x < xmax; x++) {
                    int p = in[rowStart + x + xmin];
                    int k = kk[kOff + x];
                    r += ((p >>> 16) & 0xFF) * k;
                    g += ((p >>> 8) & 0xFF) * k;
                    b += (p & 0xFF) * k;
                }
                out[yy * outW + xx] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
    }

    private static void verticalPass(int[] in, int w, int rowOffset, Coefficients c, int outH, int[] out) {
        int ksize = c.ksize();
        int[] bounds = c.bounds();
        int[] kk = c.weights();
        for (int yy = 0; yy < outH; yy++) {
            int ymin = bounds[yy * 2] - rowOffset;
            int ymax = bounds[yy * 2 + 1];
            int kOff = yy * ksize;
            for (int xx = 0; xx < w; xx++) {
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int y = 0; y < ymax; y++) {
                    int p = in[(y + ymin) * w + xx];
                    int k = kk[kOff + y];
                    r += ((p >>> 16) & 0xFF) * k;
                    g += ((p >>> 8) & 0xFF) * k;
                    b += (p & 0xFF) * k;
                }
                out[yy * w + xx] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
    }
}

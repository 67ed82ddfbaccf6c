package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Where a slide has tissue, on a low-resolution grid: {@code width x height} cells, each covering
 * {@code downsampleX x downsampleY} level-0 pixels; regions are the kept tissue pieces with their kept holes.
 */
public final class TissueMask {

    /** A kept tissue region: area in mask cells (holes excluded), bounding box in mask cells, holes kept. */
    public record Region(long area, int x, int y, int width, int height, int holes) {
    }

    private final int width;
    private final int height;
    private final double downsampleX;
    private final double downsampleY;
    private final int level;
    private final boolean[] tissue;
    private final List<Region> regions;
    private final int threshold;
    /** Summed-area table of {@link #tissue}, (width+1) x (height+1). */
    private final int[] integral;

    TissueMask(int width, int height, double downsampleX, double downsampleY, int level, boolean[] tissue,
            List<Region> regions, int threshold) {
        this.width = width;
        this.height = height;
        this.downsampleX = downsampleX;
        this.downsampleY = downsampleY;
        this.level = level;
        this.tissue = tissue;
        this.regions = List.copyOf(regions);
        this.threshold = threshold;
        this.integral = new int[(width + 1) * (height + 1)];
        for (int y = 0; y < height; y++) {
            int row = 0;
            for (int x = 0; x < width; x++) {
                row += tissue[y * width + x] ? 1 : 0;
                integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + row;
            }
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public double downsampleX() {
        return downsampleX;
    }

    public double downsampleY() {
        return downsampleY;
    }

    /** The pyramid level that was segmented. */
    public int level() {
        return level;
    }

    /** The saturation threshold used (Otsu's when asked). */
    public int threshold() {
        return threshold;
    }

    public List<Region> regions() {
        return regions;
    }

    public boolean tissue(int x, int y) {
        return x >= 0 && y >= 0 && x < width && y < height && tissue[y * width + x];
    }

    /** Share of all cells that are tissue. */
    public double tissueFraction() {
        return (double) integral[integral.length - 1] / ((long) width * height);
    }

    /** Share of tissue under a rectangle given in level-0 pixels (cells it touches, whole). */
    public double fractionIn(double x0, double y0, double w0, double h0) {
        int cx0 = clamp((int) Math.floor(x0 / downsampleX), width);
        int cy0 = clamp((int) Math.floor(y0 / downsampleY), height);
        int cx1 = clamp((int) Math.ceil((x0 + w0) / downsampleX), width);
        int cy1 = clamp((int) Math.ceil((y0 + h0) / downsampleY), height);
        long cells = (long) (cx1 - cx0) * (cy1 - cy0);
        if (cells <= 0) {
            return 0;
        }
        int w1 = width + 1;
        long sum = integral[cy1 * w1 + cx1] - integral[cy0 * w1 + cx1] - integral[cy1 * w1 + cx0]
                + integral[cy0 * w1 + cx0];
        return (double) sum / cells;
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /** The mask as a black (background) and white (tissue) image, one pixel a cell. */
    public BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < tissue.length; i++) {
            data[i] = (byte) (tissue[i] ? 255 : 0);
        }
        return img;
    }
}

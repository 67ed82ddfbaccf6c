package org.pathoreason.data.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.List;

/**
 * Where free cells may still go: a mask of areas taken by structures (glands, nests, granulomas...) and a bucket
 * grid of the cells already placed, so that scattered cells land in the stroma and do not pile up.
 */
final class PlacementMask {

    private final int width;
    private final int height;
    private final BufferedImage taken;
    private final Graphics2D g;
    private final byte[] bits;
    private final double bucket;
    private final int bucketCols;
    private final List<List<double[]>> buckets;

    PlacementMask(int width, int height, double bucketPx) {
        this.width = width;
        this.height = height;
        this.taken = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        this.g = taken.createGraphics();
        g.setColor(Color.WHITE);
        this.bits = ((DataBufferByte) taken.getRaster().getDataBuffer()).getData();
        this.bucket = Math.max(2, bucketPx);
        this.bucketCols = (int) Math.ceil(width / bucket) + 1;
        int bucketRows = (int) Math.ceil(height / bucket) + 1;
        this.buckets = new ArrayList<>(bucketCols * bucketRows);
        for (int i = 0; i < bucketCols * bucketRows; i++) {
            buckets.add(new ArrayList<>(4));
        }
    }

    /** Marks an area as taken by a structure. */
    void take(Shape shape) {
        g.fill(shape);
    }

    /** Marks a band along an outline as taken. */
    void takeOutline(Shape shape, double widthPx) {
        g.setStroke(new BasicStroke((float) widthPx));
        g.draw(shape);
    }

    boolean isTaken(double x, double y) {
        int ix = (int) x;
        int iy = (int) y;
        if (ix < 0 || iy < 0 || ix >= width || iy >= height) {
            return false;
        }
        return bits[iy * width + ix] != 0;
    }

    /** True when a cell of radius r at (x, y) would not overlap a placed cell by more than {@code overlap}. */
    boolean roomFor(double x, double y, double r, double overlap) {
        int bx = (int) (x / bucket);
        int by = (int) (y / bucket);
        int reach = 1 + (int) (2 * r / bucket);
        for (int j = by - reach; j <= by + reach; j++) {
            for (int i = bx - reach; i <= bx + reach; i++) {
                List<double[]> list = bucketAt(i, j);
                if (list == null) {
                    continue;
                }
                for (double[] c : list) {
                    double min = (r + c[2]) * (1 - overlap);
                    double dx = c[0] - x;
                    double dy = c[1] - y;
                    if (dx * dx + dy * dy < min * min) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    void addCell(double x, double y, double r) {
        List<double[]> list = bucketAt((int) (x / bucket), (int) (y / bucket));
        if (list != null) {
            list.add(new double[] {x, y, r});
        }
    }

    private List<double[]> bucketAt(int i, int j) {
        if (i < 0 || j < 0 || i >= bucketCols) {
            return null;
        }
        int idx = j * bucketCols + i;
        return idx < buckets.size() ? buckets.get(idx) : null;
    }

    void dispose() {
        g.dispose();
    }
}

package org.pathoreason.wsi;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** A slide thumbnail with the tissue mask (tinted, outlined) and the patch grid drawn over it, as CLAM's masks. */
public final class TissueOverlay {

    private TissueOverlay() {
    }

    /**
     * @param grid patches to outline; null for none
     * @param maxSize largest side of the picture in pixels
     */
    public static BufferedImage render(Slide slide, TissueMask mask, TileGrid grid, int maxSize) {
        BufferedImage thumb = slide.thumbnail(maxSize, maxSize);
        BufferedImage out = new BufferedImage(thumb.getWidth(), thumb.getHeight(), BufferedImage.TYPE_INT_RGB);
        double sx = (double) thumb.getWidth() / slide.width();
        double sy = (double) thumb.getHeight() / slide.height();
        int w = out.getWidth();
        int h = out.getHeight();
        boolean[] in = new boolean[w * h];
        if (mask != null) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    in[y * w + x] = mask.tissue((int) ((x + 0.5) / sx / mask.downsampleX()),
                            (int) ((y + 0.5) / sy / mask.downsampleY()));
                }
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = thumb.getRGB(x, y);
                if (in[y * w + x]) {
                    // outline where a neighbouring picture pixel falls outside the mask
                    boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || !in[y * w + x - 1]
                            || !in[y * w + x + 1] || !in[(y - 1) * w + x] || !in[(y + 1) * w + x];
                    p = edge ? 0x00A000 : blend(p, 0x40C040, 0.2);
                }
                out.setRGB(x, y, p);
            }
        }
        if (grid != null) {
            Graphics2D g = out.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setColor(new Color(30, 60, 220));
                g.setStroke(new BasicStroke(1f));
                double side = grid.patchSizeLevel0();
                for (long[] c : grid.coords()) {
                    g.drawRect((int) Math.round(c[0] * sx), (int) Math.round(c[1] * sy),
                            (int) Math.max(1, Math.round(side * sx)), (int) Math.max(1, Math.round(side * sy)));
                }
            } finally {
                g.dispose();
            }
        }
        return out;
    }

    private static int blend(int p, int q, double a) {
        int r = (int) (((p >> 16) & 255) * (1 - a) + ((q >> 16) & 255) * a);
        int g = (int) (((p >> 8) & 255) * (1 - a) + ((q >> 8) & 255) * a);
        int b = (int) ((p & 255) * (1 - a) + (q & 255) * a);
        return r << 16 | g << 8 | b;
    }
}

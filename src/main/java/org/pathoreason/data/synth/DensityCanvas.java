package org.pathoreason.data.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * A Java2D surface whose three colour channels hold stain amounts instead of colours: red = haematoxylin,
 * green = eosin, blue = erythrocyte/keratin red, each 0..1. Painting with a translucent ink blends amounts the way
 * overlapping tissue does; {@link TileRenderer} turns the amounts into RGB with a {@link StainModel}.
 */
final class DensityCanvas {

    final int width;
    final int height;
    private final BufferedImage image;
    private final Graphics2D g;

    DensityCanvas(int width, int height) {
        this.width = width;
        this.height = height;
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        this.g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    }

    /** Sets the ink for following fills and strokes: stain amounts h, e, r and opacity, each 0..1. */
    void ink(double h, double e, double r, double alpha) {
        g.setColor(new Color(unit(h), unit(e), unit(r), unit(alpha)));
    }

    void fill(Shape shape) {
        g.fill(shape);
    }

    void stroke(Shape shape, double widthPx) {
        g.setStroke(new BasicStroke((float) Math.max(0.3, widthPx), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(shape);
    }

    /** Strokes with a dash pattern (lengths in pixels). */
    void strokeDashed(Shape shape, double widthPx, float[] dash, float phase) {
        g.setStroke(new BasicStroke((float) Math.max(0.3, widthPx), BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND,
                10f, dash, phase));
        g.draw(shape);
    }

    /** Fills an ellipse centred at (cx, cy) with radii rx, ry, turned by {@code angle} radians. */
    void ellipse(double cx, double cy, double rx, double ry, double angle) {
        if (angle == 0) {
            g.fill(new Ellipse2D.Double(cx - rx, cy - ry, 2 * rx, 2 * ry));
            return;
        }
        AffineTransform saved = g.getTransform();
        g.translate(cx, cy);
        g.rotate(angle);
        g.fill(new Ellipse2D.Double(-rx, -ry, 2 * rx, 2 * ry));
        g.setTransform(saved);
    }

    void disc(double cx, double cy, double r) {
        g.fill(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
    }

    /** The painted amounts as three row-major planes: haematoxylin, eosin, red. */
    float[][] amounts() {
        int[] px = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        float[][] out = new float[3][px.length];
        for (int i = 0; i < px.length; i++) {
            int v = px[i];
            out[0][i] = ((v >> 16) & 0xff) / 255f;
            out[1][i] = ((v >> 8) & 0xff) / 255f;
            out[2][i] = (v & 0xff) / 255f;
        }
        return out;
    }

    void dispose() {
        g.dispose();
    }

    private static float unit(double v) {
        return (float) Math.max(0, Math.min(1, v));
    }
}

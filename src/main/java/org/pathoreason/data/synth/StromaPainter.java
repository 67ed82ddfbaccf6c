package org.pathoreason.data.synth;

import java.awt.Shape;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.SplittableRandom;

/** Paints connective tissue: collagen stroma (loose, oedematous or fibrotic), vessels, fibrin and haemorrhage. */
final class StromaPainter extends TissuePainter {

    /** The first painter of a tile; the others share its canvas, mask and random source. */
    StromaPainter(DensityCanvas canvas, SplittableRandom rnd, double pxPerMicron) {
        super(canvas, rnd, pxPerMicron);
    }

    /** The character of the background stroma. */
    enum Stroma { LOOSE, OEDEMATOUS, FIBROTIC }

    void stroma(Stroma kind) {
        double area = areaMicrons() / 1000.0;
        switch (kind) {
            case LOOSE -> {
                canvas.ink(0.03, uniform(0.26, 0.34), 0, 1);
                canvas.fill(new Rectangle2D.Double(0, 0, width, height));
                fibres((int) (area * 12), 1.0, 2.6, 0.4, 0.56, 0.45, 25, 60);
                clefts((int) (area * 5), 0.5, 1.2);
                fibroblasts((int) Math.round(area * uniform(0.9, 1.5)), 0.45);
            }
            case OEDEMATOUS -> {
                canvas.ink(0.03, uniform(0.09, 0.13), 0, 1);
                canvas.fill(new Rectangle2D.Double(0, 0, width, height));
                // Watery ground substance: faint pink wisps between the separated fibres.
                for (int i = 0; i < (int) (area * 4); i++) {
                    canvas.ink(0.04, 0.2, 0, 0.35);
                    canvas.fill(cells.blob(uniform(0, width), uniform(0, height), px(uniform(4, 10)),
                            px(uniform(2, 5)), uniform(0, Math.PI), 0.3, 10));
                }
                fibres((int) (area * 8), 0.5, 1.2, 0.3, 0.45, 0.8, 20, 50);
                fibroblasts((int) Math.round(area * uniform(0.4, 0.8)), 0.8);
            }
            case FIBROTIC -> {
                canvas.ink(0.03, uniform(0.48, 0.56), 0.02, 1);
                canvas.fill(new Rectangle2D.Double(0, 0, width, height));
                fibres((int) (area * 14), 2.0, 4.8, 0.62, 0.74, 0.18, 40, 90);
                clefts((int) (area * 6), 0.4, 1.0);
                fibroblasts((int) Math.round(area * uniform(0.5, 0.9)), 0.15);
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    private void fibres(int count, double minW, double maxW, double minE, double maxE, double waviness,
            double minLen, double maxLen) {
        for (int i = 0; i < count; i++) {
            Path2D.Double path = flowLine(uniform(-px(20), width + px(20)), uniform(-px(20), height + px(20)),
                    px(uniform(minLen, maxLen)), waviness);
            canvas.ink(0.03, uniform(minE, maxE), 0.01, uniform(0.45, 0.75));
            canvas.stroke(path, px(uniform(minW, maxW)));
        }
    }

    /** Thin pale gaps between collagen bundles. */
    private void clefts(int count, double minW, double maxW) {
        for (int i = 0; i < count; i++) {
            Path2D.Double path = flowLine(uniform(0, width), uniform(0, height), px(uniform(15, 45)), 0.3);
            canvas.ink(0.01, 0.06, 0, uniform(0.35, 0.6));
            canvas.stroke(path, px(uniform(minW, maxW)));
        }
    }

    private Path2D.Double flowLine(double x, double y, double length, double waviness) {
        Path2D.Double path = new Path2D.Double();
        path.moveTo(x, y);
        double step = px(2.5);
        double wobble = uniform(0, 2 * Math.PI);
        for (double run = 0; run < length; run += step) {
            double a = fibreDirection(x, y, waviness) + 0.25 * Math.sin(wobble + run / px(6));
            x += step * Math.cos(a);
            y += step * Math.sin(a);
            path.lineTo(x, y);
        }
        return path;
    }

    private void fibroblasts(int count, double waviness) {
        for (int i = 0; i < count; i++) {
            double x = uniform(0, width);
            double y = uniform(0, height);
            if (mask.isTaken(x, y) || !mask.roomFor(x, y, px(4), 0.2)) {
                continue;
            }
            cells.fibroblast(x, y, fibreDirection(x, y, waviness) + uniform(-0.2, 0.2));
            mask.addCell(x, y, px(3));
        }
    }

    /** A meshwork of bright, glassy, orange-pink fibrin strands with amorphous clumps. */
    void fibrin(Shape within) {
        Shape area = within != null ? within : region(uniform(0.3, 0.5));
        Rectangle2D b = area.getBounds2D();
        // A glassy eosinophilic smear under the meshwork of strands.
        canvas.ink(0.03, 0.6, 0.1, 0.35);
        canvas.fill(area);
        int strands = (int) (b.getWidth() * b.getHeight() / (px(10) * px(10)));
        for (int i = 0; i < strands; i++) {
            double x = b.getX() + rnd.nextDouble() * b.getWidth();
            double y = b.getY() + rnd.nextDouble() * b.getHeight();
            if (!area.contains(x, y)) {
                continue;
            }
            Path2D.Double path = new Path2D.Double();
            path.moveTo(x, y);
            double a = uniform(0, 2 * Math.PI);
            int steps = 3 + rnd.nextInt(5);
            for (int s = 0; s < steps; s++) {
                a += uniform(-0.7, 0.7);
                x += px(2.5) * Math.cos(a);
                y += px(2.5) * Math.sin(a);
                path.lineTo(x, y);
            }
            canvas.ink(0.03, 0.8, 0.13, 0.75);
            canvas.stroke(path, px(uniform(0.8, 1.8)));
        }
        // Glassy, smudgy clumps: what sets fibrin apart from the thin wavy lines of collagen.
        int clumps = 4 + (int) (b.getWidth() * b.getHeight() / (px(12) * px(12)));
        for (int i = 0; i < clumps; i++) {
            double x = b.getX() + rnd.nextDouble() * b.getWidth();
            double y = b.getY() + rnd.nextDouble() * b.getHeight();
            if (area.contains(x, y)) {
                canvas.ink(0.03, 0.9, 0.2, 0.9);
                canvas.fill(cells.blob(x, y, px(uniform(3, 8)), px(uniform(2, 5)), uniform(0, Math.PI), 0.35, 12));
            }
        }
    }

    /**
     * A vessel, in free stroma where there is room (else anywhere): an endothelium-lined lumen, packed with red
     * cells when congested, else empty.
     */
    void vessel(boolean congested) {
        for (int attempt = 0; attempt < 40; attempt++) {
            double x = uniform(0.12, 0.88) * width;
            double y = uniform(0.12, 0.88) * height;
            double rx = px(congested ? uniform(12, 20) : uniform(6, 11));
            double ry = rx * uniform(0.45, 0.8);
            double angle = uniform(0, Math.PI);
            boolean free = true;
            for (int k = 0; k < 9 && free; k++) {
                double a = 2 * Math.PI * k / 8;
                double lx = k == 8 ? 0 : rx * Math.cos(a);
                double ly = k == 8 ? 0 : ry * Math.sin(a);
                free = !mask.isTaken(x + lx * Math.cos(angle) - ly * Math.sin(angle),
                        y + lx * Math.sin(angle) + ly * Math.cos(angle));
            }
            // A congested vessel must show, so the last try takes any place; an empty one only goes in stroma.
            if (!free && (attempt < 39 || !congested)) {
                continue;
            }
            Path2D.Double wall = cells.blob(x, y, rx + px(2.2), ry + px(2.2), angle, 0.05, 20);
            canvas.ink(0.05, 0.48, 0.02, 1);
            canvas.fill(wall);
            Path2D.Double lumen = cells.blob(x, y, rx, ry, angle, 0.04, 20);
            canvas.ink(0.0, 0.03, 0, 1);
            canvas.fill(lumen);
            mask.take(wall);
            if (congested) {
                canvas.ink(0, 0.25, 0.5, 0.9);
                canvas.fill(lumen);
                for (double[] p : lattice(lumen, px(5.2), px(1.2))) {
                    cells.redCell(p[0], p[1]);
                }
            }
            int n = 3 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                double a = uniform(0, 2 * Math.PI);
                double lx = (rx + px(0.6)) * Math.cos(a);
                double ly = (ry + px(0.6)) * Math.sin(a);
                double ex = x + lx * Math.cos(angle) - ly * Math.sin(angle);
                double ey = y + lx * Math.sin(angle) + ly * Math.cos(angle);
                double tangent = Math.atan2(ry * Math.cos(a), -rx * Math.sin(a)) + angle;
                cells.endothelialNucleus(ex, ey, tangent);
            }
            return;
        }
    }

    /** Patches of extravasated red cells lying free in the stroma. */
    void haemorrhage() {
        int patches = 1 + rnd.nextInt(2);
        for (int k = 0; k < patches; k++) {
            double x = uniform(0.2, 0.8) * width;
            double y = uniform(0.2, 0.8) * height;
            double r = px(uniform(14, 24));
            Shape patch = cells.blob(x, y, r, r * uniform(0.6, 0.9), uniform(0, Math.PI), 0.3, 16);
            canvas.ink(0, 0.2, 0.25, 0.5);
            canvas.fill(patch);
            for (double[] p : lattice(patch, px(5.6), px(1.8))) {
                if (chance(0.8)) {
                    cells.redCell(p[0], p[1]);
                }
            }
            mask.take(patch);
        }
        // Extravasated cells also lie singly and in small groups through the stroma, outside any vessel.
        int strays = (int) (areaMicrons() / 300);
        for (int i = 0; i < strays; i++) {
            double x = uniform(0, width);
            double y = uniform(0, height);
            if (!mask.isTaken(x, y)) {
                cells.redCell(x, y);
            }
        }
    }
}

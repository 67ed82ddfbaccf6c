package org.pathoreason.data.synth;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Paints cellular lesions and necrosis: sheets of large lymphoid cells, epithelioid granulomas with caseous
 * necrosis and giant cells, coagulative necrosis (ghost cells) and suppurative foci with nuclear debris.
 */
final class LesionPainter extends TissuePainter {

    LesionPainter(TissuePainter shared) {
        super(shared);
    }

    void lymphoidSheet(CellPainter.Atypia atypia, boolean mitoses, boolean smallLymphocytes, boolean apoptosis) {
        Shape area = chance(0.35) ? edgeCut() : new Rectangle2D.Double(-px(10), -px(10), width + px(20),
                height + px(20));
        canvas.ink(0.42, 0.22, 0, 1);
        canvas.fill(area);
        mask.take(area);
        List<Slot> slots = new ArrayList<>();
        double spacing = px(uniform(11, 12.2));
        for (double[] p : lattice(area, spacing, px(2))) {
            if (smallLymphocytes && chance(0.18)) {
                cells.lymphocyte(p[0], p[1]);
                continue;
            }
            if (apoptosis && chance(0.1)) {
                cells.apoptoticBody(p[0], p[1]);
                continue;
            }
            canvas.ink(0.44, 0.24, 0.01, 0.9);
            canvas.disc(p[0], p[1], px(uniform(5.6, 6.2)));
            double r = px(uniform(4.4, 5.3));
            slots.add(new Slot(p[0], p[1], r, r * uniform(0.82, 1.0), uniform(0, Math.PI)));
        }
        drawSlots(slots, atypia, mitoses);
    }

    /** Everything but a band of stroma along one edge. */
    private Shape edgeCut() {
        Area a = new Area(new Rectangle2D.Double(-px(10), -px(10), width + px(20), height + px(20)));
        double depth = uniform(0.15, 0.3) * width;
        int side = rnd.nextInt(4);
        double cx = side == 0 ? 0 : side == 1 ? width : width * uniform(0.3, 0.7);
        double cy = side == 2 ? 0 : side == 3 ? height : height * uniform(0.3, 0.7);
        if (side < 2) {
            cy = height * uniform(0.3, 0.7);
        }
        a.subtract(new Area(cells.blob(cx, cy, depth * 1.2, width * 0.6, side < 2 ? 0 : Math.PI / 2, 0.15, 20)));
        return a;
    }

    /**
     * An epithelioid granuloma: a rounded aggregate of epithelioid histiocytes with pale cytoplasm and pale
     * elongated nuclei, optionally with central caseous necrosis, Langhans giant cells and a lymphocyte cuff.
     */
    void granuloma(boolean caseous, boolean giantCells, boolean lymphocyteCuff) {
        double r = px(uniform(32, 46));
        double cx = uniform(0.3, 0.7) * width;
        double cy = uniform(0.3, 0.7) * height;
        double aspect = uniform(0.75, 0.95);
        double angle = uniform(0, Math.PI);
        Shape body = cells.blob(cx, cy, r, r * aspect, angle, 0.1, 24);
        canvas.ink(0.09, 0.32, 0.01, 1);
        canvas.fill(body);
        mask.take(body);
        Shape core = null;
        if (caseous) {
            double cr = r * uniform(0.5, 0.65);
            core = cells.blob(cx + uniform(-0.1, 0.1) * r, cy + uniform(-0.1, 0.1) * r, cr, cr * uniform(0.75, 1.0),
                    uniform(0, Math.PI), 0.18, 20);
            caseousNecrosis(core);
        }
        List<double[]> giants = new ArrayList<>();
        if (giantCells) {
            int n = chance(0.4) ? 2 : 1;
            for (int i = 0; i < n; i++) {
                double a = uniform(0, 2 * Math.PI);
                double d = r * (caseous ? uniform(0.6, 0.7) : uniform(0.0, 0.45));
                double gr = px(uniform(17, 23));
                giants.add(new double[] {cx + d * Math.cos(a), cy + d * aspect * Math.sin(a), gr});
            }
        }
        for (double[] p : lattice(body, px(uniform(9, 10.5)), px(1.5))) {
            if (core != null && core.contains(p[0], p[1])) {
                continue;
            }
            if (!farFrom(giants, p[0], p[1], -0.4 * px(16))) {
                continue;
            }
            double radial = Math.atan2(p[1] - cy, p[0] - cx);
            cells.epithelioidNucleus(p[0], p[1], radial + Math.PI / 2 + uniform(-0.7, 0.7));
        }
        for (double[] gc : giants) {
            cells.giantCell(gc[0], gc[1], gc[2]);
        }
        if (lymphocyteCuff) {
            int n = (int) (2 * Math.PI * r / px(4));
            for (int i = 0; i < n; i++) {
                double a = uniform(0, 2 * Math.PI);
                double d = r * uniform(1.0, 1.0 + px(16) / r);
                double x = cx + d * Math.cos(a);
                double y = cy + d * aspect * Math.sin(a);
                if (!body.contains(x, y) && mask.roomFor(x, y, px(3.6), 0.15)) {
                    cells.lymphocyte(x, y);
                    mask.addCell(x, y, px(3.6));
                }
            }
        }
    }

    /** Structureless granular eosinophilic necrosis with faint nuclear dust and no cell outlines. */
    void caseousNecrosis(Shape core) {
        Rectangle2D b = core.getBounds2D();
        canvas.ink(0.16, 0.5, 0.04, 1);
        canvas.fill(core);
        double area = b.getWidth() * b.getHeight();
        int blotches = (int) (area / (px(5) * px(5)));
        for (int i = 0; i < blotches; i++) {
            double x = b.getX() + rnd.nextDouble() * b.getWidth();
            double y = b.getY() + rnd.nextDouble() * b.getHeight();
            if (core.contains(x, y)) {
                canvas.ink(uniform(0.06, 0.28), uniform(0.36, 0.66), 0.05, 0.6);
                canvas.fill(cells.blob(x, y, px(uniform(2, 5)), px(uniform(1.5, 3.5)), uniform(0, Math.PI), 0.3, 8));
            }
        }
        int specks = (int) (area / (px(1) * px(1)) * 0.12);
        for (int i = 0; i < specks; i++) {
            double x = b.getX() + rnd.nextDouble() * b.getWidth();
            double y = b.getY() + rnd.nextDouble() * b.getHeight();
            if (!core.contains(x, y)) {
                continue;
            }
            if (chance(0.35)) {
                canvas.ink(0.55, 0.3, 0.02, 0.6);
            } else {
                canvas.ink(0.06, uniform(0.5, 0.65), 0.06, 0.6);
            }
            canvas.disc(x, y, px(uniform(0.3, 0.6)));
        }
    }

    /**
     * Coagulative necrosis: tissue architecture kept as ghost outlines of hypereosinophilic anucleate cells, as
     * tubules or as a sheet.
     */
    void ghostTissue(boolean debris) {
        Shape area = chance(0.4) ? new Rectangle2D.Double(-px(10), -px(10), width + px(20), height + px(20))
                : region(uniform(0.6, 0.85));
        canvas.ink(0.03, 0.42, 0.03, 1);
        canvas.fill(area);
        // Not taken: inflammatory cells may lie on dead tissue.
        if (chance(0.5)) {
            for (double[] c : spreadPoints(px(uniform(24, 30)), px(10), 120)) {
                if (!area.contains(c[0], c[1])) {
                    continue;
                }
                double r = px(uniform(10, 13));
                double[] outline = radialOutline(r, uniform(0.75, 1.0), 0.06, 32);
                Path2D.Double outer = radialPath(c[0], c[1], outline, 0);
                canvas.ink(0.03, 0.72, 0.07, 1);
                canvas.fill(outer);
                canvas.ink(0.02, 0.8, 0.08, 0.6);
                canvas.stroke(outer, px(0.8));
                canvas.ink(0.02, 0.3, 0.03, 1);
                canvas.fill(radialPath(c[0], c[1], outline, r * 0.7));
                Path2D.Double borders = new Path2D.Double();
                int n = 8 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    double a = 2 * Math.PI * i / n + uniform(-0.1, 0.1);
                    double ro = radiusAt(outline, a);
                    borders.moveTo(c[0] + ro * 0.35 * Math.cos(a), c[1] + ro * 0.35 * Math.sin(a));
                    borders.lineTo(c[0] + ro * Math.cos(a), c[1] + ro * Math.sin(a));
                    if (chance(0.25)) {
                        ghostNucleus(c[0] + ro * 0.7 * Math.cos(a + 0.3), c[1] + ro * 0.7 * Math.sin(a + 0.3));
                    }
                }
                canvas.ink(0.02, 0.85, 0.08, 0.55);
                canvas.stroke(borders, px(0.6));
            }
        } else {
            double spacing = px(uniform(12, 15));
            List<double[]> centres = lattice(null, spacing, spacing * 0.12);
            canvas.ink(0.03, 0.7, 0.07, 1);
            canvas.fill(area);
            cellBordersFaint(centres, spacing, area);
            for (double[] c : centres) {
                if (area.contains(c[0], c[1]) && chance(0.2)) {
                    ghostNucleus(c[0], c[1]);
                }
            }
        }
        if (debris) {
            int clusters = 3 + (int) (areaMicrons() / 1800);
            for (int i = 0; i < clusters; i++) {
                cells.debrisCluster(uniform(0.1, 0.9) * width, uniform(0.1, 0.9) * height, px(uniform(6, 10)),
                        10 + rnd.nextInt(10));
            }
        }
    }

    private void ghostNucleus(double x, double y) {
        canvas.ink(0.14, 0.48, 0.03, 0.85);
        canvas.disc(x, y, px(uniform(2.5, 3.2)));
    }

    private void cellBordersFaint(List<double[]> lattice, double spacing, Shape inside) {
        Path2D.Double borders = latticeBorders(lattice, spacing, inside);
        canvas.ink(0.05, 0.9, 0.1, 0.75);
        canvas.stroke(borders, px(0.8));
    }

    /**
     * A suppurative focus: amorphous necrotic material packed with neutrophils (if present) and clusters of nuclear
     * dust. Returns the focus so that fibrin can be laid into it.
     */
    Shape necroticFocus(boolean neutrophils) {
        Shape focus = region(uniform(0.35, 0.6));
        canvas.ink(0.12, 0.26, 0.02, 1);
        canvas.fill(focus);
        mask.take(focus);
        Rectangle2D b = focus.getBounds2D();
        int clusters = 2 + (int) (b.getWidth() * b.getHeight() / (px(30) * px(30)));
        for (int i = 0; i < clusters; i++) {
            double x = b.getX() + rnd.nextDouble() * b.getWidth();
            double y = b.getY() + rnd.nextDouble() * b.getHeight();
            if (focus.contains(x, y)) {
                cells.debrisCluster(x, y, px(uniform(5, 9)), 10 + rnd.nextInt(12));
            }
        }
        if (neutrophils) {
            // Pus: neutrophils packed almost edge to edge.
            int n = (int) (3 * b.getWidth() * b.getHeight() / (px(8) * px(8)));
            for (int i = 0; i < n; i++) {
                double x = b.getX() + rnd.nextDouble() * b.getWidth();
                double y = b.getY() + rnd.nextDouble() * b.getHeight();
                if (focus.contains(x, y) && mask.roomFor(x, y, px(5), 0.3)) {
                    cells.neutrophil(x, y);
                    mask.addCell(x, y, px(5));
                }
            }
        }
        return focus;
    }
}

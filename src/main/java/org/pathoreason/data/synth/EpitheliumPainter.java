package org.pathoreason.data.synth;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Paints epithelium: regular and atypical glands, squamous carcinoma nests with keratin pearls and intercellular
 * bridges, and stratified squamous epithelium with orderly maturation.
 */
final class EpitheliumPainter extends TissuePainter {

    EpitheliumPainter(TissuePainter shared) {
        super(shared);
    }

    /** Regular glands: round, spaced, one layer of cells with small uniform basal nuclei and pale apical mucin. */
    void regularGlands() {
        List<double[]> centres = spreadPoints(px(uniform(58, 70)), px(10), 60);
        for (double[] c : centres) {
            double r = px(uniform(19, 25));
            double[] outline = radialOutline(r, uniform(0.75, 1.0), 0.035, 48);
            double t = px(uniform(11, 13));
            Path2D.Double outer = radialPath(c[0], c[1], outline, 0);
            canvas.ink(0.06, 0.62, 0.02, 0.8);
            canvas.stroke(outer, px(1.0));
            canvas.ink(0.08, 0.3, 0.01, 1);
            canvas.fill(outer);
            canvas.ink(0.12, 0.1, 0.0, 1);
            canvas.fill(radialPath(c[0], c[1], outline, t * 0.45));
            canvas.ink(0.0, 0.03, 0, 1);
            canvas.fill(radialPath(c[0], c[1], outline, t));
            if (chance(0.5)) {
                canvas.ink(0.02, 0.16, 0, 0.5);
                canvas.fill(cells.blob(c[0], c[1], (r - t) * 0.5, (r - t) * 0.35, uniform(0, Math.PI), 0.3, 10));
            }
            mask.take(outer);
            double perimeter = 2 * Math.PI * r;
            int nuclei = (int) (perimeter / px(3.7));
            double phase = uniform(0, 2 * Math.PI);
            for (int i = 0; i < nuclei; i++) {
                double a = phase + 2 * Math.PI * (i + uniform(-0.12, 0.12)) / nuclei;
                double d = radiusAt(outline, a) - t * uniform(0.2, 0.3);
                double nx = c[0] + d * Math.cos(a);
                double ny = c[1] + d * Math.sin(a);
                canvas.ink(0.74, 0.12, 0, 1);
                canvas.ellipse(nx, ny, px(uniform(3.0, 3.5)), px(uniform(1.25, 1.5)), a + uniform(-0.1, 0.1));
            }
        }
    }

    /**
     * Back-to-back atypical glands: crowded, irregular, with stratified enlarged elongated nuclei and little stroma
     * between them; lumens may hold dirty necrosis.
     */
    void atypicalGlands(CellPainter.Atypia atypia, boolean mitoses, boolean luminalDebris) {
        double minDist = px(uniform(38, 46));
        // Many darts fill the field, so the glands end up crowded back to back.
        List<double[]> centres = spreadPoints(minDist, px(12), 600);
        List<Slot> slots = new ArrayList<>();
        List<double[]> lumens = new ArrayList<>();
        for (double[] c : centres) {
            double nearest = Double.MAX_VALUE;
            for (double[] o : centres) {
                if (o != c) {
                    nearest = Math.min(nearest, Math.hypot(o[0] - c[0], o[1] - c[1]));
                }
            }
            double r = Math.max(px(11), nearest / 2 - px(uniform(0.8, 2.0)));
            double[] outline = radialOutline(r, uniform(0.7, 1.0), uniform(0.08, 0.15), 48);
            double t = Math.min(r * 0.6, px(uniform(11, 13)));
            Path2D.Double outer = radialPath(c[0], c[1], outline, 0);
            canvas.ink(0.17, 0.3, 0.01, 1);
            canvas.fill(outer);
            Path2D.Double lumen = radialPath(c[0], c[1], outline, t);
            canvas.ink(0.01, 0.05, 0, 1);
            canvas.fill(lumen);
            mask.take(outer);
            if (luminalDebris && chance(0.9)) {
                lumens.add(new double[] {c[0], c[1], Math.max(px(2.5), r - t)});
            }
            double perimeter = 2 * Math.PI * r;
            int perRow = (int) (perimeter / px(4.4));
            for (int row = 0; row < 2; row++) {
                double phase = uniform(0, 2 * Math.PI);
                for (int i = 0; i < perRow; i++) {
                    if (row == 1 && chance(0.55)) {
                        continue;
                    }
                    double a = phase + 2 * Math.PI * (i + uniform(-0.2, 0.2)) / perRow;
                    double depth = t * (row == 0 ? uniform(0.3, 0.42) : uniform(0.55, 0.68));
                    double d = radiusAt(outline, a) - depth;
                    slots.add(new Slot(c[0] + d * Math.cos(a), c[1] + d * Math.sin(a), px(uniform(3.2, 3.8)),
                            px(uniform(1.6, 2.0)), a + uniform(-0.2, 0.2)));
                }
            }
        }
        drawSlots(slots, atypia, mitoses);
        for (double[] l : lumens) {
            canvas.ink(0.24, 0.34, 0.02, 0.85);
            canvas.fill(cells.blob(l[0], l[1], l[2] * 0.85, l[2] * 0.7, uniform(0, Math.PI), 0.25, 12));
            cells.debrisCluster(l[0], l[1], l[2] * 0.75, 10 + rnd.nextInt(10));
        }
    }

    /** Nests of squamous carcinoma cells (polygonal, pink cytoplasm), with keratin pearls. */
    void squamousNests(CellPainter.Atypia atypia, boolean mitoses, boolean bridges, boolean pearls) {
        Shape nest = region(uniform(0.55, 0.8));
        canvas.ink(0.07, 0.46, 0.03, 1);
        canvas.fill(nest);
        mask.take(nest);
        double spacing = px(uniform(13, 15.5));
        List<double[]> centres = lattice(null, spacing, spacing * 0.18);
        cellBorders(centres, spacing, nest, bridges);
        List<double[]> pearlList = new ArrayList<>();
        if (pearls) {
            int n = width >= 200 ? 1 + rnd.nextInt(2) : 1;
            for (int i = 0; i < n * 20 && pearlList.size() < n; i++) {
                double x = uniform(0.15, 0.85) * width;
                double y = uniform(0.15, 0.85) * height;
                double r = px(uniform(13, 19));
                if (nest.contains(x, y) && farFrom(pearlList, x, y, r * 2.5)) {
                    pearlList.add(new double[] {x, y, r});
                }
            }
            if (pearlList.isEmpty()) {
                pearlList.add(new double[] {width / 2.0, height / 2.0, px(14)});
            }
        }
        List<Slot> slots = new ArrayList<>();
        for (double[] c : centres) {
            if (!nest.contains(c[0], c[1]) || !farFrom(pearlList, c[0], c[1], 0)) {
                continue;
            }
            double r = px(uniform(3.0, 3.6));
            slots.add(new Slot(c[0] + uniform(-1, 1) * px(1.2), c[1] + uniform(-1, 1) * px(1.2), r,
                    r * uniform(0.75, 1.0), uniform(0, Math.PI)));
        }
        drawSlots(slots, atypia, mitoses);
        for (double[] p : pearlList) {
            keratinPearl(p[0], p[1], p[2]);
        }
    }

    /**
     * Cell borders of a jittered hexagonal lattice, clipped to {@code inside}: with bridges, a clear gap crossed by
     * fine spines; without, a thin membrane line.
     */
    private void cellBorders(List<double[]> lattice, double spacing, Shape inside, boolean bridges) {
        Path2D.Double borders = latticeBorders(lattice, spacing, inside);
        if (bridges) {
            bridgedBorders(borders, 0.46);
        } else {
            canvas.ink(0.06, 0.6, 0.02, 0.5);
            canvas.stroke(borders, px(0.6));
        }
    }

    /** Cell borders seen as a narrow clear space crossed by fine cytoplasmic spines (intercellular bridges). */
    private void bridgedBorders(Shape borders, double cytoplasmE) {
        canvas.ink(0.02, 0.1, 0, 0.85);
        canvas.stroke(borders, px(1.5));
        float dash = (float) px(0.55);
        float gap = (float) px(1.0);
        canvas.ink(0.06, cytoplasmE + 0.06, 0.02, 0.95);
        canvas.strokeDashed(borders, px(1.8), new float[] {dash, gap}, 0f);
    }

    /** A keratin pearl: concentric lamellae of bright orange-pink keratin with a few flattened nuclei. */
    void keratinPearl(double x, double y, double r) {
        double aspect = uniform(0.75, 0.95);
        double angle = uniform(0, Math.PI);
        // A collar of flattened squamous cells wrapping the pearl.
        canvas.ink(0.05, 0.55, 0.04, 1);
        canvas.fill(cells.blob(x, y, r * 1.35, r * 1.35 * aspect, angle, 0.08, 20));
        int collar = 7 + rnd.nextInt(4);
        for (int i = 0; i < collar; i++) {
            double a = 2 * Math.PI * (i + uniform(-0.2, 0.2)) / collar;
            double nx = x + r * 1.18 * Math.cos(a);
            double ny = y + r * 1.18 * aspect * Math.sin(a);
            canvas.ink(0.7, 0.12, 0, 1);
            canvas.ellipse(nx, ny, px(uniform(3.2, 4)), px(uniform(1.0, 1.3)), a + Math.PI / 2);
        }
        int rings = 7 + rnd.nextInt(4);
        for (int k = 0; k < rings; k++) {
            double f = 1 - (double) k / rings;
            double rr = r * f;
            boolean light = (k & 1) == 1;
            Path2D.Double ring = cells.blob(x + uniform(-1, 1), y + uniform(-1, 1), rr, rr * aspect,
                    angle + k * 0.3, 0.07, 18);
            canvas.ink(0.02, light ? 0.6 : 0.74, light ? 0.08 : 0.14, 1);
            canvas.fill(ring);
            canvas.ink(0.05, 0.88, 0.18, 0.6);
            canvas.stroke(ring, px(0.45));
        }
        canvas.ink(0.03, 0.86, 0.22, 1);
        canvas.fill(cells.blob(x, y, r * 0.25, r * 0.22, angle, 0.15, 10));
        // Parakeratotic nuclear remnants caught in the outer lamellae.
        int remnants = 1 + rnd.nextInt(3);
        for (int i = 0; i < remnants; i++) {
            double a = uniform(0, 2 * Math.PI);
            double d = r * uniform(0.55, 0.8);
            canvas.ink(0.6, 0.3, 0.05, 1);
            canvas.ellipse(x + d * Math.cos(a), y + d * aspect * Math.sin(a), px(2.2), px(0.7), a + Math.PI / 2);
        }
    }

    /**
     * Stratified squamous epithelium: a basal layer of small dark crowded cells, spinous layers of large polygonal
     * cells, and flattened surface cells, in rows parallel to a gently undulating basement membrane.
     */
    void squamousEpithelium(boolean bridges) {
        double angle = uniform(0, 2 * Math.PI);
        double tx = Math.cos(angle);
        double ty = Math.sin(angle);
        double nx = -ty;
        double ny = tx;
        double half = Math.hypot(width, height) / 2 + px(10);
        double cx = width / 2.0;
        double cy = height / 2.0;
        // Basement membrane offset from the centre so that stroma shows on one side.
        double base = -half * uniform(0.35, 0.6);
        double waveAmp = px(uniform(3, 7));
        double waveLen = px(uniform(40, 70));
        double wavePhase = uniform(0, 2 * Math.PI);
        // Layers: {height, cell width, kind} in micrometres; kind 0 basal, 1 parabasal, 2 spinous, 3 superficial.
        List<double[]> rows = new ArrayList<>();
        rows.add(new double[] {7, 5.5, 0});
        rows.add(new double[] {8.5, 8.5, 1});
        rows.add(new double[] {9, 9.5, 1});
        int spinous = 4 + rnd.nextInt(3);
        for (int i = 0; i < spinous; i++) {
            rows.add(new double[] {uniform(11, 13.5), uniform(13, 16), 2});
        }
        int superficial = 3 + rnd.nextInt(3);
        for (int i = 0; i < superficial; i++) {
            rows.add(new double[] {uniform(3.5, 5), uniform(22, 30), 3});
        }
        double step = px(3);
        double v = base;
        Area whole = new Area();
        for (double[] row : rows) {
            double h = px(row[0]);
            Path2D.Double band = new Path2D.Double();
            int n = (int) (2 * half / step) + 1;
            double[] lowX = new double[n];
            double[] lowY = new double[n];
            double[] topX = new double[n];
            double[] topY = new double[n];
            for (int i = 0; i < n; i++) {
                double u = -half + i * step;
                double damp = Math.max(0, 1 - (v - base) / px(45));
                double wave = waveAmp * damp * Math.sin(2 * Math.PI * u / waveLen + wavePhase);
                double dampTop = Math.max(0, 1 - (v + h - base) / px(45));
                double waveTop = waveAmp * dampTop * Math.sin(2 * Math.PI * u / waveLen + wavePhase);
                lowX[i] = cx + u * tx + (v + wave) * nx;
                lowY[i] = cy + u * ty + (v + wave) * ny;
                topX[i] = cx + u * tx + (v + h + waveTop) * nx;
                topY[i] = cy + u * ty + (v + h + waveTop) * ny;
            }
            band.moveTo(lowX[0], lowY[0]);
            for (int i = 1; i < n; i++) {
                band.lineTo(lowX[i], lowY[i]);
            }
            for (int i = n - 1; i >= 0; i--) {
                band.lineTo(topX[i], topY[i]);
            }
            band.closePath();
            int kind = (int) row[2];
            switch (kind) {
                case 0 -> canvas.ink(0.16, 0.28, 0.01, 1);
                case 1 -> canvas.ink(0.09, 0.36, 0.01, 1);
                case 2 -> canvas.ink(0.05, 0.44, 0.02, 1);
                default -> canvas.ink(0.03, 0.52, 0.04, 1);
            }
            canvas.fill(band);
            whole.add(new Area(band));
            // Borders: the row's upper boundary and vertical separators between neighbouring cells.
            Path2D.Double borders = new Path2D.Double();
            borders.moveTo(topX[0], topY[0]);
            for (int i = 1; i < n; i++) {
                borders.lineTo(topX[i], topY[i]);
            }
            double cellW = px(row[1]);
            double u = -half + uniform(0, cellW);
            List<double[]> nuclei = new ArrayList<>();
            while (u < half) {
                double w = cellW * uniform(0.7, 1.3);
                int lo = (int) ((u + half) / step);
                // Slanted separators make polygonal rather than brick-shaped cells.
                int hi = lo + (int) Math.round(uniform(-0.35, 0.35) * cellW / step);
                if (lo >= 0 && lo < n && hi >= 0 && hi < n) {
                    borders.moveTo(lowX[lo], lowY[lo]);
                    borders.lineTo(topX[hi], topY[hi]);
                }
                int mid = (int) ((u + w / 2 + half) / step);
                if (mid >= 0 && mid < n) {
                    double f = uniform(0.4, 0.6);
                    nuclei.add(new double[] {lowX[mid] + f * (topX[mid] - lowX[mid]) + uniform(-1, 1),
                            lowY[mid] + f * (topY[mid] - lowY[mid]) + uniform(-1, 1)});
                }
                u += w;
            }
            boolean spiny = bridges && kind >= 1 && kind <= 2;
            if (spiny) {
                bridgedBorders(borders, kind == 1 ? 0.36 : 0.44);
            } else {
                canvas.ink(0.06, 0.6, 0.03, 0.45);
                canvas.stroke(borders, px(0.5));
            }
            for (double[] p : nuclei) {
                switch (kind) {
                    case 0 -> {
                        canvas.ink(0.86, 0.1, 0, 1);
                        canvas.ellipse(p[0], p[1], px(uniform(1.8, 2.2)), px(uniform(3.0, 3.5)), angle);
                    }
                    case 1 -> {
                        canvas.ink(0.7, 0.1, 0, 1);
                        canvas.ellipse(p[0], p[1], px(uniform(2.6, 3.1)), px(uniform(2.3, 2.8)), angle);
                    }
                    case 2 -> {
                        canvas.ink(0.5, 0.1, 0, 1);
                        canvas.ellipse(p[0], p[1], px(uniform(2.8, 3.3)), px(uniform(2.6, 3.1)), angle);
                        canvas.ink(0.75, 0.08, 0, 0.7);
                        canvas.disc(p[0] + uniform(-1, 1), p[1] + uniform(-1, 1), px(0.6));
                    }
                    default -> {
                        canvas.ink(0.82, 0.12, 0, 1);
                        canvas.ellipse(p[0], p[1], px(uniform(2.2, 3.0)), px(uniform(0.6, 0.8)), angle);
                    }
                }
            }
            v += h;
        }
        mask.take(whole);
    }
}

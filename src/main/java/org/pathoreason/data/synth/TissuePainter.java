package org.pathoreason.data.synth;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Lays out and paints tissue structures: stroma with collagen fibres, glands, squamous epithelium and nests, keratin
 * pearls, granulomas, necrosis, vessels, fibrin and scattered inflammatory cells. Works in pixels, with sizes given
 * in micrometres; one instance paints one tile.
 */
final class TissuePainter {

    /** The character of the background stroma. */
    enum Stroma { LOOSE, OEDEMATOUS, FIBROTIC }

    /** A place where an atypical nucleus goes: position, radii (pixels) and the angle of its long axis. */
    record Slot(double x, double y, double rx, double ry, double angle) {
    }

    final DensityCanvas canvas;
    final PlacementMask mask;
    final CellPainter cells;
    final SplittableRandom rnd;
    final double scale;
    final int width;
    final int height;
    private final ValueNoise flow;
    private final double flowAngle;

    TissuePainter(DensityCanvas canvas, SplittableRandom rnd, double pxPerMicron) {
        this.canvas = canvas;
        this.rnd = rnd;
        this.scale = pxPerMicron;
        this.width = canvas.width;
        this.height = canvas.height;
        this.mask = new PlacementMask(width, height, px(6));
        this.cells = new CellPainter(canvas, rnd, pxPerMicron);
        this.flow = new ValueNoise(width, height, px(45), rnd);
        this.flowAngle = uniform(0, Math.PI);
    }

    double px(double microns) {
        return microns * scale;
    }

    double uniform(double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }

    boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    /** Tile area in square micrometres. */
    double areaMicrons() {
        return width * height / (scale * scale);
    }

    /** Direction of collagen at a point: a smooth field around one main direction. */
    double fibreDirection(double x, double y, double waviness) {
        return flowAngle + waviness * Math.PI * flow.at(x, y);
    }

    // ---------------------------------------------------------------- stroma

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

    // ---------------------------------------------------------------- helpers for regions

    /** A large irregular region covering roughly {@code fraction} of the tile. */
    Shape region(double fraction) {
        double r = Math.sqrt(fraction * width * height / Math.PI);
        double cx = uniform(0.25, 0.75) * width;
        double cy = uniform(0.25, 0.75) * height;
        return cells.blob(cx, cy, r * uniform(1.0, 1.3), r * uniform(0.8, 1.0), uniform(0, Math.PI), 0.18, 24);
    }

    /** Centres spread at least {@code minDist} apart over the tile plus a margin (dart throwing). */
    List<double[]> spreadPoints(double minDist, double margin, int tries) {
        List<double[]> pts = new ArrayList<>();
        for (int t = 0; t < tries; t++) {
            double x = uniform(-margin, width + margin);
            double y = uniform(-margin, height + margin);
            boolean ok = true;
            for (double[] p : pts) {
                double dx = p[0] - x;
                double dy = p[1] - y;
                if (dx * dx + dy * dy < minDist * minDist) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                pts.add(new double[] {x, y});
            }
        }
        return pts;
    }

    /** Jittered hexagonal lattice points inside a shape. */
    List<double[]> lattice(Shape inside, double spacing, double jitter) {
        List<double[]> pts = new ArrayList<>();
        double rowH = spacing * Math.sqrt(3) / 2;
        int rows = (int) ((height + 2 * spacing) / rowH) + 1;
        int cols = (int) ((width + 2 * spacing) / spacing) + 1;
        for (int j = 0; j < rows; j++) {
            for (int i = 0; i < cols; i++) {
                double x = -spacing + (i + 0.5 * (j & 1)) * spacing + uniform(-jitter, jitter);
                double y = -spacing + j * rowH + uniform(-jitter, jitter);
                if (inside == null || inside.contains(x, y)) {
                    pts.add(new double[] {x, y});
                }
            }
        }
        return pts;
    }

    // ---------------------------------------------------------------- atypical nuclei and mitoses

    /**
     * Draws the atypical nuclei of a structure; with {@code mitoses}, a few of them (away from the edge) are
     * mitotic figures instead.
     */
    void drawSlots(List<Slot> slots, CellPainter.Atypia atypia, boolean mitoses) {
        boolean[] mitotic = new boolean[slots.size()];
        if (mitoses && !slots.isEmpty()) {
            int want = Math.max(2, (int) Math.round(slots.size() * uniform(0.05, 0.08)));
            double margin = px(6);
            List<Integer> inner = new ArrayList<>();
            for (int i = 0; i < slots.size(); i++) {
                Slot s = slots.get(i);
                if (s.x() > margin && s.y() > margin && s.x() < width - margin && s.y() < height - margin) {
                    inner.add(i);
                }
            }
            for (int k = 0; k < want && !inner.isEmpty(); k++) {
                mitotic[inner.remove(rnd.nextInt(inner.size()))] = true;
            }
        }
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            if (mitotic[i]) {
                cells.mitosis(s.x(), s.y(), s.angle() + Math.PI / 2 + uniform(-0.4, 0.4));
            } else {
                cells.atypicalNucleus(s.x(), s.y(), s.rx(), s.ry(), s.angle(), atypia);
            }
        }
    }

    // ---------------------------------------------------------------- lymphoid sheets

    void lymphoidSheet(CellPainter.Atypia atypia, boolean mitoses, boolean smallLymphocytes, boolean apoptosis) {
        Shape area = chance(0.35) ? edgeCut() : new Rectangle2D.Double(-px(10), -px(10), width + px(20),
                height + px(20));
        canvas.ink(0.3, 0.22, 0, 1);
        canvas.fill(area);
        mask.take(area);
        List<Slot> slots = new ArrayList<>();
        double spacing = px(uniform(11, 12.2));
        for (double[] p : lattice(area, spacing, px(2))) {
            if (smallLymphocytes && chance(0.18)) {
                cells.lymphocyte(p[0], p[1]);
                continue;
            }
            if (apoptosis && chance(0.04)) {
                canvas.ink(0.04, 0.1, 0, 0.9);
                canvas.disc(p[0], p[1], px(4));
                cells.debrisCluster(p[0], p[1], px(2.6), 4 + rnd.nextInt(4));
                continue;
            }
            canvas.ink(0.32, 0.24, 0.01, 0.9);
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

    // ---------------------------------------------------------------- glands

    /** Radial outline of a gland: radius per angle step. */
    private double[] radialOutline(double r, double aspect, double irregularity, int n) {
        double[] amp = new double[5];
        double[] phase = new double[5];
        for (int k = 0; k < 5; k++) {
            amp[k] = irregularity * uniform(0.3, 1.0) / (1 + 0.5 * k);
            phase[k] = uniform(0, 2 * Math.PI);
        }
        double rot = uniform(0, Math.PI);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double t = 2 * Math.PI * i / n;
            double ell = r / Math.sqrt(Math.pow(Math.cos(t - rot), 2) + Math.pow(Math.sin(t - rot) / aspect, 2));
            double f = 1;
            for (int k = 0; k < 5; k++) {
                f += amp[k] * Math.cos((k + 2) * t + phase[k]);
            }
            out[i] = ell * f;
        }
        return out;
    }

    private static Path2D.Double radialPath(double cx, double cy, double[] radii, double inset) {
        int n = radii.length;
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            double t = 2 * Math.PI * i / n;
            double r = Math.max(radii[i] * 0.12, radii[i] - inset);
            xs[i] = cx + r * Math.cos(t);
            ys[i] = cy + r * Math.sin(t);
        }
        Path2D.Double path = new Path2D.Double();
        CellPainter.smoothClosed(path, xs, ys);
        return path;
    }

    /** Interpolated outline radius at angle t. */
    private static double radiusAt(double[] radii, double t) {
        int n = radii.length;
        double pos = ((t % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI) / (2 * Math.PI) * n;
        int i = (int) pos;
        double f = pos - i;
        return radii[i % n] * (1 - f) + radii[(i + 1) % n] * f;
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
        double minDist = px(uniform(40, 48));
        List<double[]> centres = spreadPoints(minDist, px(12), 160);
        List<Slot> slots = new ArrayList<>();
        List<double[]> lumens = new ArrayList<>();
        for (double[] c : centres) {
            double nearest = Double.MAX_VALUE;
            for (double[] o : centres) {
                if (o != c) {
                    nearest = Math.min(nearest, Math.hypot(o[0] - c[0], o[1] - c[1]));
                }
            }
            double r = Math.max(px(11), nearest / 2 - px(uniform(1.0, 2.5)));
            double[] outline = radialOutline(r, uniform(0.7, 1.0), uniform(0.08, 0.15), 48);
            double t = Math.min(r * 0.6, px(uniform(11, 13)));
            Path2D.Double outer = radialPath(c[0], c[1], outline, 0);
            canvas.ink(0.17, 0.3, 0.01, 1);
            canvas.fill(outer);
            Path2D.Double lumen = radialPath(c[0], c[1], outline, t);
            canvas.ink(0.01, 0.05, 0, 1);
            canvas.fill(lumen);
            mask.take(outer);
            if (luminalDebris && chance(0.6)) {
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
                    double depth = t * (row == 0 ? uniform(0.22, 0.38) : uniform(0.5, 0.66));
                    double d = radiusAt(outline, a) - depth;
                    slots.add(new Slot(c[0] + d * Math.cos(a), c[1] + d * Math.sin(a), px(uniform(3.6, 4.4)),
                            px(uniform(1.7, 2.1)), a + uniform(-0.25, 0.25)));
                }
            }
        }
        drawSlots(slots, atypia, mitoses);
        for (double[] l : lumens) {
            canvas.ink(0.2, 0.3, 0.02, 0.75);
            canvas.fill(cells.blob(l[0], l[1], l[2] * 0.8, l[2] * 0.6, uniform(0, Math.PI), 0.25, 12));
            cells.debrisCluster(l[0], l[1], l[2] * 0.7, 8 + rnd.nextInt(8));
        }
    }

    // ---------------------------------------------------------------- squamous

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
            double r = px(uniform(3.4, 4.1));
            slots.add(new Slot(c[0] + uniform(-1, 1) * px(1.2), c[1] + uniform(-1, 1) * px(1.2), r,
                    r * uniform(0.75, 1.0), uniform(0, Math.PI)));
        }
        drawSlots(slots, atypia, mitoses);
        for (double[] p : pearlList) {
            keratinPearl(p[0], p[1], p[2]);
        }
    }

    private static boolean farFrom(List<double[]> circles, double x, double y, double extra) {
        for (double[] c : circles) {
            double min = c[2] * 1.45 + extra;
            if (Math.hypot(c[0] - x, c[1] - y) < min) {
                return false;
            }
        }
        return true;
    }

    /**
     * Cell borders of a jittered hexagonal lattice, clipped to {@code inside}: with bridges, a clear gap crossed by
     * fine spines; without, a thin membrane line.
     */
    private void cellBorders(List<double[]> lattice, double spacing, Shape inside, boolean bridges) {
        // Recover the lattice neighbours by distance: Delaunay-like pairs of near points.
        Path2D.Double borders = new Path2D.Double();
        double reach = spacing * 1.35;
        for (int i = 0; i < lattice.size(); i++) {
            double[] a = lattice.get(i);
            for (int j = i + 1; j < lattice.size(); j++) {
                double[] b = lattice.get(j);
                double dx = b[0] - a[0];
                double dy = b[1] - a[1];
                if (Math.abs(dy) > reach || Math.abs(dx) > reach || dx * dx + dy * dy > reach * reach) {
                    continue;
                }
                double mx = (a[0] + b[0]) / 2;
                double my = (a[1] + b[1]) / 2;
                if (!inside.contains(mx, my)) {
                    continue;
                }
                double len = Math.hypot(dx, dy);
                double half = len / Math.sqrt(3) / 2 * 1.02;
                double ux = -dy / len;
                double uy = dx / len;
                borders.moveTo(mx - half * ux, my - half * uy);
                borders.lineTo(mx + half * ux, my + half * uy);
            }
        }
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

    // ---------------------------------------------------------------- granulomas and necrosis

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
            double cr = r * uniform(0.45, 0.58);
            core = cells.blob(cx + uniform(-0.1, 0.1) * r, cy + uniform(-0.1, 0.1) * r, cr, cr * uniform(0.75, 1.0),
                    uniform(0, Math.PI), 0.18, 20);
            caseousNecrosis(core);
        }
        List<double[]> giants = new ArrayList<>();
        if (giantCells) {
            int n = width >= 200 && chance(0.5) ? 2 : 1;
            for (int i = 0; i < n; i++) {
                double a = uniform(0, 2 * Math.PI);
                double d = r * (caseous ? uniform(0.6, 0.7) : uniform(0.0, 0.45));
                double gr = px(uniform(15, 20));
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
        canvas.ink(0.14, 0.42, 0.03, 1);
        canvas.fill(core);
        double area = b.getWidth() * b.getHeight();
        int blotches = (int) (area / (px(5) * px(5)));
        for (int i = 0; i < blotches; i++) {
            double x = b.getX() + rnd.nextDouble() * b.getWidth();
            double y = b.getY() + rnd.nextDouble() * b.getHeight();
            if (core.contains(x, y)) {
                canvas.ink(uniform(0.08, 0.22), uniform(0.32, 0.55), 0.04, 0.5);
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
                canvas.ink(0.4, 0.3, 0.02, 0.55);
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
                canvas.ink(0.03, 0.66, 0.06, 1);
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
            canvas.ink(0.03, 0.62, 0.06, 1);
            canvas.fill(area);
            cellBordersFaint(centres, spacing, area);
            for (double[] c : centres) {
                if (area.contains(c[0], c[1]) && chance(0.2)) {
                    ghostNucleus(c[0], c[1]);
                }
            }
        }
        if (debris) {
            int clusters = 2 + (int) (areaMicrons() / 2500);
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
        Path2D.Double borders = new Path2D.Double();
        double reach = spacing * 1.35;
        for (int i = 0; i < lattice.size(); i++) {
            double[] a = lattice.get(i);
            for (int j = i + 1; j < lattice.size(); j++) {
                double[] b = lattice.get(j);
                double dx = b[0] - a[0];
                double dy = b[1] - a[1];
                if (Math.abs(dx) > reach || Math.abs(dy) > reach || dx * dx + dy * dy > reach * reach) {
                    continue;
                }
                double mx = (a[0] + b[0]) / 2;
                double my = (a[1] + b[1]) / 2;
                if (!inside.contains(mx, my)) {
                    continue;
                }
                double len = Math.hypot(dx, dy);
                double half = len / Math.sqrt(3) / 2 * 1.02;
                borders.moveTo(mx + half * dy / len, my - half * dx / len);
                borders.lineTo(mx - half * dy / len, my + half * dx / len);
            }
        }
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
        if (neutrophils) {
            int n = (int) (b.getWidth() * b.getHeight() / (px(8) * px(8)));
            for (int i = 0; i < n; i++) {
                double x = b.getX() + rnd.nextDouble() * b.getWidth();
                double y = b.getY() + rnd.nextDouble() * b.getHeight();
                if (focus.contains(x, y) && mask.roomFor(x, y, px(5), 0.3)) {
                    cells.neutrophil(x, y);
                    mask.addCell(x, y, px(5));
                }
            }
        }
        int clusters = 2 + (int) (b.getWidth() * b.getHeight() / (px(30) * px(30)));
        for (int i = 0; i < clusters; i++) {
            double x = b.getX() + rnd.nextDouble() * b.getWidth();
            double y = b.getY() + rnd.nextDouble() * b.getHeight();
            if (focus.contains(x, y)) {
                cells.debrisCluster(x, y, px(uniform(5, 9)), 10 + rnd.nextInt(12));
            }
        }
        return focus;
    }

    // ---------------------------------------------------------------- fibrin, vessels, blood

    /** A meshwork of bright, glassy, orange-pink fibrin strands with amorphous clumps. */
    void fibrin(Shape within) {
        Shape area = within != null ? within : region(uniform(0.25, 0.4));
        Rectangle2D b = area.getBounds2D();
        int strands = (int) (b.getWidth() * b.getHeight() / (px(7) * px(7)));
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
            canvas.ink(0.03, 0.72, 0.1, 0.6);
            canvas.stroke(path, px(uniform(0.6, 1.3)));
        }
        int clumps = 2 + (int) (b.getWidth() * b.getHeight() / (px(25) * px(25)));
        for (int i = 0; i < clumps; i++) {
            double x = b.getX() + rnd.nextDouble() * b.getWidth();
            double y = b.getY() + rnd.nextDouble() * b.getHeight();
            if (area.contains(x, y)) {
                canvas.ink(0.03, 0.82, 0.14, 0.85);
                canvas.fill(cells.blob(x, y, px(uniform(3, 7)), px(uniform(2, 4)), uniform(0, Math.PI), 0.3, 12));
            }
        }
    }

    /** A vessel in free stroma: an endothelium-lined lumen, packed with red cells when congested, else empty. */
    void vessel(boolean congested) {
        for (int attempt = 0; attempt < 30; attempt++) {
            double x = uniform(0.1, 0.9) * width;
            double y = uniform(0.1, 0.9) * height;
            if (mask.isTaken(x, y)) {
                continue;
            }
            double rx = px(congested ? uniform(12, 20) : uniform(6, 11));
            double ry = rx * uniform(0.45, 0.8);
            double angle = uniform(0, Math.PI);
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
    }

    // ---------------------------------------------------------------- scattered cells

    /** Cell kinds that are scattered through free stroma. */
    enum Scattered { NEUTROPHIL, LYMPHOCYTE, PLASMA_CELL, EOSINOPHIL }

    /**
     * Scatters cells through the free stroma at about {@code perThousand} cells per 1000 square micrometres,
     * patchily (denser where a smooth random field is high), never on structures or on top of other cells.
     */
    void scatter(Scattered kind, double perThousand, ValueNoise patchiness) {
        int target = (int) Math.round(perThousand * areaMicrons() / 1000.0);
        double r = px(switch (kind) {
            case NEUTROPHIL -> 5.6;
            case LYMPHOCYTE -> 3.9;
            case PLASMA_CELL -> 5.5;
            case EOSINOPHIL -> 6.2;
        });
        int placed = 0;
        for (int attempt = 0; attempt < target * 12 && placed < target; attempt++) {
            double x = uniform(0, width);
            double y = uniform(0, height);
            if (mask.isTaken(x, y) || rnd.nextDouble() > 0.55 + 0.45 * patchiness.at(x, y)) {
                continue;
            }
            if (!mask.roomFor(x, y, r, 0.15)) {
                continue;
            }
            switch (kind) {
                case NEUTROPHIL -> cells.neutrophil(x, y);
                case LYMPHOCYTE -> cells.lymphocyte(x, y);
                case PLASMA_CELL -> cells.plasmaCell(x, y);
                case EOSINOPHIL -> cells.eosinophil(x, y);
                default -> throw new IllegalStateException();
            }
            mask.addCell(x, y, r);
            placed++;
        }
    }

    void dispose() {
        mask.dispose();
    }
}

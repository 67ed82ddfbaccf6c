package org.pathoreason.data.synth;

import java.awt.Shape;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the painters of one tile share: the stain canvas, the placement mask, the cell painter, the random source
 * and the scale, plus geometry helpers (regions, spread points, lattices, radial outlines) and the drawing of
 * atypical nuclei and scattered inflammatory cells. Works in pixels, with sizes given in micrometres; the
 * subclasses paint the kinds of tissue.
 */
abstract class TissuePainter {

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

    /** A painter of the same tile: same canvas, mask, random source and collagen direction field. */
    TissuePainter(TissuePainter shared) {
        this.canvas = shared.canvas;
        this.rnd = shared.rnd;
        this.scale = shared.scale;
        this.width = shared.width;
        this.height = shared.height;
        this.mask = shared.mask;
        this.cells = shared.cells;
        this.flow = shared.flow;
        this.flowAngle = shared.flowAngle;
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

    /**
     * The borders between neighbouring cells of a jittered hexagonal lattice (segments across the midpoint of each
     * pair of neighbours), keeping those whose midpoint lies inside {@code inside}.
     */
    static Path2D.Double latticeBorders(List<double[]> lattice, double spacing, Shape inside) {
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
        return borders;
    }

    /**
     * Draws the atypical nuclei of a structure; with {@code mitoses}, a few of them (away from the edge) are
     * mitotic figures instead.
     */
    void drawSlots(List<Slot> slots, CellPainter.Atypia atypia, boolean mitoses) {
        boolean[] mitotic = new boolean[slots.size()];
        if (mitoses && !slots.isEmpty()) {
            int want = Math.max(3, (int) Math.round(slots.size() * uniform(0.08, 0.12)));
            double margin = px(6);
            List<Integer> inner = new ArrayList<>();
            for (int i = 0; i < slots.size(); i++) {
                Slot s = slots.get(i);
                if (s.x() > margin && s.y() > margin && s.x() < width - margin && s.y() < height - margin) {
                    inner.add(i);
                }
            }
            // Scattered rather than clumped: take slots in random order, keeping them apart.
            SynthGenerator.shuffle(inner, rnd);
            List<Slot> chosen = new ArrayList<>();
            double apart = px(14);
            for (int i : inner) {
                Slot s = slots.get(i);
                boolean far = chosen.stream().allMatch(c -> Math.hypot(c.x() - s.x(), c.y() - s.y()) > apart);
                if (far && chosen.size() < want) {
                    chosen.add(s);
                    mitotic[i] = true;
                }
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

    /** Radial outline of a gland: radius per angle step. */
    double[] radialOutline(double r, double aspect, double irregularity, int n) {
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

    static Path2D.Double radialPath(double cx, double cy, double[] radii, double inset) {
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
    static double radiusAt(double[] radii, double t) {
        int n = radii.length;
        double pos = ((t % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI) / (2 * Math.PI) * n;
        int i = (int) pos;
        double f = pos - i;
        return radii[i % n] * (1 - f) + radii[(i + 1) % n] * f;
    }

    static boolean farFrom(List<double[]> circles, double x, double y, double extra) {
        for (double[] c : circles) {
            double min = c[2] * 1.45 + extra;
            if (Math.hypot(c[0] - x, c[1] - y) < min) {
                return false;
            }
        }
        return true;
    }

    /** Cell kinds that are scattered through free stroma. */
    enum Scattered { NEUTROPHIL, LYMPHOCYTE, PLASMA_CELL, EOSINOPHIL }

    /**
     * Scatters inflammatory cells through the free stroma, each kind at about its density (cells per 1000 square
     * micrometres), patchily (denser where a smooth random field is high), never on structures or on top of other
     * cells. Kinds take turns, so that a crowded field still shows every kind in its share.
     */
    void scatter(Map<Scattered, Double> densities, ValueNoise patchiness) {
        List<Scattered> kinds = new ArrayList<>(new EnumMap<>(densities).keySet());
        int[] target = new int[kinds.size()];
        int total = 0;
        for (int k = 0; k < kinds.size(); k++) {
            target[k] = (int) Math.round(densities.get(kinds.get(k)) * areaMicrons() / 1000.0);
            total += target[k];
        }
        int[] placed = new int[kinds.size()];
        int turn = 0;
        for (int attempt = 0; attempt < total * 12 && total > 0; attempt++) {
            int k = turn % kinds.size();
            if (placed[k] >= target[k]) {
                turn++;
                if (Arrays.equals(placed, target)) {
                    break;
                }
                continue;
            }
            Scattered kind = kinds.get(k);
            double r = px(switch (kind) {
                case NEUTROPHIL -> 5.6;
                case LYMPHOCYTE -> 3.9;
                case PLASMA_CELL -> 5.5;
                case EOSINOPHIL -> 6.2;
            });
            double x = uniform(0, width);
            double y = uniform(0, height);
            if (mask.isTaken(x, y) || rnd.nextDouble() > 0.55 + 0.45 * patchiness.at(x, y)
                    || !mask.roomFor(x, y, r, 0.15)) {
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
            placed[k]++;
            turn++;
        }
    }

    void dispose() {
        mask.dispose();
    }
}

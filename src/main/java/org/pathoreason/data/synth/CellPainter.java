package org.pathoreason.data.synth;

import java.awt.geom.Path2D;
import java.util.SplittableRandom;

/**
 * Draws single cells and nuclei onto a {@link DensityCanvas}. Sizes are given in micrometres and converted with
 * the tile's scale; shapes, chromatin patterns and cytoplasm follow what a pathologist uses to tell the cells
 * apart on H&E (segmented neutrophil nuclei, clock-face plasma-cell chromatin, dense lymphocyte nuclei, and so on).
 */
final class CellPainter {

    /** How atypical (tumour) nuclei look; set from the sampled modifier findings. */
    record Atypia(boolean pleomorphism, boolean hyperchromasia, boolean nucleoli) {
    }

    private final DensityCanvas canvas;
    private final SplittableRandom rnd;
    private final double scale;

    CellPainter(DensityCanvas canvas, SplittableRandom rnd, double pxPerMicron) {
        this.canvas = canvas;
        this.rnd = rnd;
        this.scale = pxPerMicron;
    }

    double px(double microns) {
        return microns * scale;
    }

    double uniform(double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }

    // ---- inflammatory and blood cells ----

    void lymphocyte(double x, double y) {
        double r = px(uniform(3.1, 3.8));
        canvas.ink(0.2, 0.2, 0, 0.35);
        canvas.disc(x, y, r + px(0.7));
        double angle = uniform(0, Math.PI);
        canvas.ink(0.84, 0.10, 0, 1);
        canvas.fill(blob(x, y, r, r * uniform(0.86, 1.0), angle, 0.08, 14));
        denseChromatin(x, y, r, 4);
    }

    void neutrophil(double x, double y) {
        double cell = px(uniform(5.4, 6.2));
        canvas.ink(0.07, 0.3, 0.02, 0.6);
        canvas.disc(x, y, cell);
        int lobes = 3 + (rnd.nextDouble() < 0.4 ? 1 : 0);
        double lobe = px(uniform(1.45, 1.75));
        double arc = px(uniform(2.4, 3.0));
        double start = uniform(0, 2 * Math.PI);
        double span = uniform(2.2, 3.6);
        Path2D.Double strand = new Path2D.Double();
        canvas.ink(0.9, 0.08, 0, 1);
        for (int i = 0; i < lobes; i++) {
            double a = start + span * i / (lobes - 1);
            double lx = x + arc * Math.cos(a) * uniform(0.8, 1.1);
            double ly = y + arc * Math.sin(a) * uniform(0.8, 1.1);
            canvas.ellipse(lx, ly, lobe * uniform(1.0, 1.25), lobe * uniform(0.8, 1.0), uniform(0, Math.PI));
            if (i == 0) {
                strand.moveTo(lx, ly);
            } else {
                strand.lineTo(lx, ly);
            }
        }
        canvas.stroke(strand, px(0.55));
    }

    void eosinophil(double x, double y) {
        double cell = px(uniform(5.6, 6.4));
        canvas.ink(0.04, 0.44, 0.06, 0.9);
        canvas.disc(x, y, cell);
        // Coarse refractile granules give the cytoplasm its grainy orange-pink look.
        int granules = (int) Math.round(uniform(16, 22));
        for (int i = 0; i < granules; i++) {
            double a = uniform(0, 2 * Math.PI);
            double d = cell * Math.sqrt(rnd.nextDouble()) * 0.88;
            canvas.ink(0.03, uniform(0.78, 0.95), uniform(0.16, 0.26), 0.9);
            canvas.disc(x + d * Math.cos(a), y + d * Math.sin(a), px(uniform(0.5, 0.7)));
        }
        double a = uniform(0, Math.PI);
        double off = px(uniform(1.7, 2.1));
        double lobe = px(uniform(1.9, 2.3));
        canvas.ink(0.82, 0.14, 0, 1);
        canvas.ellipse(x + off * Math.cos(a), y + off * Math.sin(a), lobe, lobe * 0.85, a);
        canvas.ellipse(x - off * Math.cos(a), y - off * Math.sin(a), lobe, lobe * 0.85, a);
    }

    void plasmaCell(double x, double y) {
        double angle = uniform(0, 2 * Math.PI);
        double half = px(uniform(6.2, 7.2));
        double width = px(uniform(4.4, 5.0));
        canvas.ink(0.4, 0.26, 0.02, 0.95);
        canvas.ellipse(x, y, half, width, angle);
        double rn = px(uniform(2.7, 3.1));
        double shift = half - rn - px(0.4);
        double nx = x + shift * Math.cos(angle);
        double ny = y + shift * Math.sin(angle);
        // Perinuclear hof: the pale Golgi zone beside the nucleus.
        double hofShift = shift - rn - px(1.0);
        canvas.ink(0.14, 0.2, 0, 0.6);
        canvas.ellipse(x + hofShift * Math.cos(angle), y + hofShift * Math.sin(angle), px(1.4), px(2.0), angle);
        canvas.ink(0.5, 0.1, 0, 1);
        canvas.disc(nx, ny, rn);
        // Clock-face chromatin: coarse clumps along the nuclear membrane.
        int clumps = 7 + rnd.nextInt(3);
        double phase = uniform(0, 2 * Math.PI);
        canvas.ink(0.98, 0.05, 0, 1);
        for (int i = 0; i < clumps; i++) {
            double a = phase + 2 * Math.PI * i / clumps;
            canvas.disc(nx + rn * 0.68 * Math.cos(a), ny + rn * 0.68 * Math.sin(a), rn * 0.24);
        }
        canvas.disc(nx, ny, rn * 0.2);
    }

    void redCell(double x, double y) {
        double r = px(uniform(3.1, 3.6));
        double squash = uniform(0.75, 1.0);
        double a = uniform(0, Math.PI);
        canvas.ink(0, 0.3, uniform(0.55, 0.7), 0.9);
        canvas.ellipse(x, y, r, r * squash, a);
        canvas.ink(0, 0.22, 0.5, 0.7);
        canvas.ellipse(x, y, r * 0.45, r * 0.45 * squash, a);
    }

    void fibroblast(double x, double y, double angle) {
        double len = px(uniform(6, 9));
        double w = px(uniform(0.9, 1.4));
        canvas.ink(0.8, 0.1, 0, 1);
        canvas.fill(spindle(x, y, len, w, angle, uniform(-0.25, 0.25)));
    }

    void endothelialNucleus(double x, double y, double angle) {
        canvas.ink(0.78, 0.1, 0, 1);
        canvas.fill(spindle(x, y, px(uniform(4.5, 5.5)), px(uniform(1.2, 1.6)), angle, 0));
    }

    /** A pale, elongated, often bent ("slipper-shaped") nucleus of an epithelioid histiocyte. */
    void epithelioidNucleus(double x, double y, double angle) {
        double len = px(uniform(4.8, 6.2));
        double w = px(uniform(1.8, 2.2));
        Path2D.Double shape = capsule(x, y, len, w, angle, uniform(-0.3, 0.3));
        canvas.ink(0.38, 0.14, 0, 1);
        canvas.fill(shape);
        canvas.ink(0.62, 0.08, 0, 0.9);
        canvas.stroke(shape, px(0.5));
        canvas.ink(0.6, 0.1, 0, 0.8);
        for (int i = 0; i < 4; i++) {
            double t = uniform(-0.6, 0.6);
            canvas.disc(x + t * len * Math.cos(angle), y + t * len * Math.sin(angle), px(0.35));
        }
    }

    // ---- tumour and atypical nuclei ----

    /**
     * An atypical (epithelial tumour or large lymphoid) nucleus of radii rx, ry (pixels). The atypia decides size
     * variation, contour, chromatin and nucleoli; the returned radius is the one drawn (for placement).
     */
    void atypicalNucleus(double x, double y, double rx, double ry, double angle, Atypia atypia) {
        double irregular = 0.05;
        if (atypia.pleomorphism()) {
            // Mostly moderate variation, with the occasional large bizarre nucleus.
            double f = Math.exp(uniform(-0.45, 0.5)) * (rnd.nextDouble() < 0.2 ? 1.5 : 1);
            rx *= f;
            ry *= f * uniform(0.7, 1.15);
            irregular = uniform(0.08, 0.18);
        }
        Path2D.Double shape = blob(x, y, rx, ry, angle, irregular, 18);
        double r = Math.min(rx, ry);
        boolean dark = atypia.hyperchromasia() && (!atypia.nucleoli() || rnd.nextDouble() < 0.7);
        if (dark) {
            canvas.ink(1.0, 0.12, 0, 1);
            canvas.fill(shape);
            canvas.ink(1.0, 0.05, 0, 0.85);
            int clumps = 5 + rnd.nextInt(5);
            for (int i = 0; i < clumps; i++) {
                double a = uniform(0, 2 * Math.PI);
                double d = Math.sqrt(rnd.nextDouble()) * 0.7;
                canvas.disc(x + d * rx * Math.cos(a), y + d * ry * Math.sin(a), r * uniform(0.15, 0.28));
            }
            return;
        }
        canvas.ink(0.36, 0.1, 0, 1);
        canvas.fill(shape);
        canvas.ink(0.76, 0.08, 0, 0.9);
        canvas.stroke(shape, px(0.55));
        canvas.ink(0.62, 0.08, 0, 0.8);
        int specks = 4 + rnd.nextInt(5);
        for (int i = 0; i < specks; i++) {
            double a = uniform(0, 2 * Math.PI);
            double d = Math.sqrt(rnd.nextDouble()) * 0.7;
            canvas.disc(x + d * rx * Math.cos(a), y + d * ry * Math.sin(a), px(uniform(0.3, 0.5)));
        }
        if (atypia.nucleoli()) {
            int n = rnd.nextDouble() < 0.75 ? 1 : 2;
            for (int i = 0; i < n; i++) {
                double a = uniform(0, 2 * Math.PI);
                double d = n == 1 ? uniform(0, 0.25) : uniform(0.25, 0.45);
                double nr = px(uniform(1.3, 1.7));
                canvas.ink(0.62, 0.85, 0.1, 1);
                canvas.disc(x + d * rx * Math.cos(a), y + d * ry * Math.sin(a), nr);
            }
        }
    }

    /** A mitotic figure: condensed chromosomes as a metaphase plate or two anaphase plates, in a clear halo. */
    void mitosis(double x, double y, double angle) {
        double len = px(uniform(5.0, 6.4));
        canvas.ink(0.06, 0.12, 0, 0.8);
        canvas.ellipse(x, y, len * 1.3, len * 1.05, angle);
        boolean anaphase = rnd.nextDouble() < 0.35;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double[] offsets = anaphase ? new double[] {-px(2.4), px(2.4)} : new double[] {0};
        for (double off : offsets) {
            double cx = x - off * sin;
            double cy = y + off * cos;
            canvas.ink(1.0, 0.05, 0, 1);
            canvas.fill(spindle(cx, cy, len * (anaphase ? 0.8 : 1), px(1.35), angle, 0));
            // Chromosome arms sticking out of the plate give the "hairy" outline.
            int arms = 7 + rnd.nextInt(4);
            for (int i = 0; i < arms; i++) {
                double t = uniform(-0.9, 0.9) * len * (anaphase ? 0.8 : 1);
                double side = rnd.nextBoolean() ? 1 : -1;
                double ax = cx + t * cos;
                double ay = cy + t * sin;
                double reach = px(uniform(1.4, 2.3)) * side;
                Path2D.Double arm = new Path2D.Double();
                arm.moveTo(ax, ay);
                arm.lineTo(ax - reach * sin + px(uniform(-0.6, 0.6)) * cos, ay + reach * cos
                        + px(uniform(-0.6, 0.6)) * sin);
                canvas.stroke(arm, px(0.75));
            }
        }
    }

    /**
     * An apoptotic cell: a shrunken, rounded, eosinophilic body holding a few dense round nuclear fragments (unlike
     * a mitosis, whose chromosomes form a bar or plates in a clear cell).
     */
    void apoptoticBody(double x, double y) {
        double r = px(uniform(3.2, 4.0));
        canvas.ink(0.05, 0.62, 0.06, 0.95);
        canvas.fill(blob(x, y, r, r * uniform(0.8, 1.0), uniform(0, Math.PI), 0.08, 12));
        int fragments = 3 + rnd.nextInt(3);
        for (int i = 0; i < fragments; i++) {
            double a = uniform(0, 2 * Math.PI);
            double d = r * uniform(0.1, 0.55);
            canvas.ink(1.0, 0.1, 0, 1);
            canvas.disc(x + d * Math.cos(a), y + d * Math.sin(a), px(uniform(0.8, 1.3)));
        }
    }

    /** A cluster of karyorrhectic nuclear fragments ("nuclear dust") of the given radius (pixels). */
    void debrisCluster(double x, double y, double radius, int fragments) {
        canvas.ink(0.22, 0.2, 0, 0.35);
        canvas.fill(blob(x, y, radius * 0.9, radius * 0.75, uniform(0, Math.PI), 0.2, 12));
        for (int i = 0; i < fragments; i++) {
            double a = uniform(0, 2 * Math.PI);
            double d = radius * Math.sqrt(rnd.nextDouble());
            double r = px(uniform(0.6, 1.6));
            canvas.ink(uniform(0.9, 1.0), 0.1, 0, 1);
            canvas.ellipse(x + d * Math.cos(a), y + d * Math.sin(a), r, r * uniform(0.6, 1.0), uniform(0, Math.PI));
        }
    }

    /**
     * A Langhans-type multinucleated giant cell: abundant eosinophilic cytoplasm with many nuclei in a horseshoe or
     * ring along its rim.
     */
    void giantCell(double x, double y, double radius) {
        double angle = uniform(0, Math.PI);
        double aspect = uniform(0.7, 0.95);
        canvas.ink(0.1, 0.62, 0.04, 1);
        canvas.fill(blob(x, y, radius, radius * aspect, angle, 0.12, 20));
        int nuclei = 18 + rnd.nextInt(14);
        double open = rnd.nextDouble() < 0.6 ? uniform(0.8, 1.6) : 0;
        double start = uniform(0, 2 * Math.PI);
        double span = 2 * Math.PI - open;
        for (int i = 0; i < nuclei; i++) {
            double a = start + span * (i + uniform(-0.3, 0.3)) / nuclei;
            double rr = uniform(0.66, 0.82);
            double lx = radius * rr * Math.cos(a);
            double ly = radius * aspect * rr * Math.sin(a);
            double nx = x + lx * Math.cos(angle) - ly * Math.sin(angle);
            double ny = y + lx * Math.sin(angle) + ly * Math.cos(angle);
            double tangent = a + angle + Math.PI / 2;
            canvas.ink(0.84, 0.12, 0, 1);
            canvas.ellipse(nx, ny, px(uniform(3.0, 3.8)), px(uniform(1.9, 2.3)), tangent + uniform(-0.4, 0.4));
        }
    }

    /** A dense nucleus with a few darker chromatin clumps. */
    private void denseChromatin(double x, double y, double r, int clumps) {
        canvas.ink(1.0, 0.06, 0, 0.7);
        for (int i = 0; i < clumps; i++) {
            double a = uniform(0, 2 * Math.PI);
            double d = r * uniform(0.2, 0.6);
            canvas.disc(x + d * Math.cos(a), y + d * Math.sin(a), r * uniform(0.2, 0.3));
        }
    }

    // ---- shapes ----

    /** A closed outline around (x, y) with radii rx, ry, turned by angle, with smooth random bumps. */
    Path2D.Double blob(double x, double y, double rx, double ry, double angle, double irregularity, int points) {
        double[] amp = new double[4];
        double[] phase = new double[4];
        for (int k = 0; k < 4; k++) {
            amp[k] = irregularity * uniform(0.2, 1.0) / (k + 1);
            phase[k] = uniform(0, 2 * Math.PI);
        }
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        Path2D.Double path = new Path2D.Double();
        double[] xs = new double[points];
        double[] ys = new double[points];
        for (int i = 0; i < points; i++) {
            double t = 2 * Math.PI * i / points;
            double f = 1;
            for (int k = 0; k < 4; k++) {
                f += amp[k] * Math.cos((k + 2) * t + phase[k]);
            }
            double lx = rx * f * Math.cos(t);
            double ly = ry * f * Math.sin(t);
            xs[i] = x + lx * cos - ly * sin;
            ys[i] = y + lx * sin + ly * cos;
        }
        smoothClosed(path, xs, ys);
        return path;
    }

    /** A sausage-shaped outline with blunt ends (half-length len, half-width w), optionally bent. */
    Path2D.Double capsule(double x, double y, double len, double w, double angle, double bend) {
        return outline(x, y, len, w, angle, bend, true);
    }

    /** A spindle (pointed ellipse) of half-length len and half-width w, optionally bent. */
    Path2D.Double spindle(double x, double y, double len, double w, double angle, double bend) {
        return outline(x, y, len, w, angle, bend, false);
    }

    private Path2D.Double outline(double x, double y, double len, double w, double angle, double bend,
            boolean blunt) {
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        int n = 10;
        double[] xs = new double[2 * n];
        double[] ys = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double t = -1 + 2.0 * i / (n - 1);
            double round = Math.sqrt(Math.max(0, 1 - t * t));
            double half = blunt ? w * Math.sqrt(Math.max(0, 1 - Math.pow(Math.abs(t), 3)))
                    : w * round * (0.35 + 0.65 * round);
            double mid = bend * len * (1 - t * t);
            double lx = t * len;
            xs[i] = lx;
            ys[i] = mid - half;
            xs[2 * n - 1 - i] = lx;
            ys[2 * n - 1 - i] = mid + half;
        }
        Path2D.Double path = new Path2D.Double();
        for (int i = 0; i < 2 * n; i++) {
            double px = x + xs[i] * cos - ys[i] * sin;
            double py = y + xs[i] * sin + ys[i] * cos;
            if (i == 0) {
                path.moveTo(px, py);
            } else {
                path.lineTo(px, py);
            }
        }
        path.closePath();
        return path;
    }

    /** Appends a smooth closed curve through the points (quadratic curves through edge midpoints). */
    static void smoothClosed(Path2D.Double path, double[] xs, double[] ys) {
        int n = xs.length;
        path.moveTo((xs[n - 1] + xs[0]) / 2, (ys[n - 1] + ys[0]) / 2);
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            path.quadTo(xs[i], ys[i], (xs[i] + xs[j]) / 2, (ys[i] + ys[j]) / 2);
        }
        path.closePath();
    }
}

package org.pathoreason.data.synth;

import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Draws H&E-like histology tiles that show a given set of {@link Finding}s. The picture is painted as stain
 * amounts (haematoxylin, eosin, erythrocyte red) with Java2D, then given per-image stain colours (Beer-Lambert),
 * uneven staining, fine granular texture, a slight optical blur and sensor noise. Placement, sizes, orientation and
 * stain are random but fixed by the seed, so the same (findings, seed) always gives the same pixels, whichever
 * thread renders it.
 *
 * <p>Scale: a 224-pixel tile is drawn at 0.5 um per pixel (112 um field, about 40x); smaller tiles use a coarser
 * scale ({@code 0.5 * sqrt(224 / size)} um per pixel) so that cells stay recognisable while the field shrinks less.
 */
public final class TileRenderer {

    private final int size;
    private final double micronsPerPixel;

    /** A renderer of square tiles {@code size} pixels wide (at least 64). */
    public TileRenderer(int size) {
        if (size < 64 || size > 2048) {
            throw new IllegalArgumentException("tile size must be between 64 and 2048 pixels, got " + size);
        }
        this.size = size;
        this.micronsPerPixel = 0.5 * Math.sqrt(224.0 / size);
    }

    public int size() {
        return size;
    }

    public double micronsPerPixel() {
        return micronsPerPixel;
    }

    /** Renders a tile showing exactly the given findings (and normal background tissue). */
    public BufferedImage render(Set<Finding> findings, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double scale = 1.0 / micronsPerPixel;
        Set<Finding> f = findings.isEmpty() ? EnumSet.noneOf(Finding.class) : EnumSet.copyOf(findings);
        DensityCanvas canvas = new DensityCanvas(size, size);
        StromaPainter painter = new StromaPainter(canvas, rnd, scale);
        try {
            paint(painter, new EpitheliumPainter(painter), new LesionPainter(painter), f, rnd);
            return develop(canvas.amounts(), StainModel.sample(rnd), rnd, scale);
        } finally {
            painter.dispose();
            canvas.dispose();
        }
    }

    private void paint(StromaPainter p, EpitheliumPainter epithelium, LesionPainter lesions, Set<Finding> f,
            SplittableRandom rnd) {
        StromaPainter.Stroma stroma = f.contains(Finding.FIBROSIS) ? StromaPainter.Stroma.FIBROTIC
                : f.contains(Finding.OEDEMA) ? StromaPainter.Stroma.OEDEMATOUS : StromaPainter.Stroma.LOOSE;
        p.stroma(stroma);
        CellPainter.Atypia atypia = new CellPainter.Atypia(f.contains(Finding.NUCLEAR_PLEOMORPHISM),
                f.contains(Finding.HYPERCHROMASIA), f.contains(Finding.PROMINENT_NUCLEOLI));
        boolean mitoses = f.contains(Finding.MITOSES);
        boolean debris = f.contains(Finding.NUCLEAR_DEBRIS);
        boolean debrisPlaced = false;
        boolean mitosesPlaced = false;

        if (f.contains(Finding.LYMPHOID_SHEETS)) {
            lesions.lymphoidSheet(atypia, mitoses, f.contains(Finding.LYMPHOCYTES), debris);
            debrisPlaced = debris;
            mitosesPlaced = mitoses;
        }
        if (f.contains(Finding.ATYPICAL_GLANDS)) {
            epithelium.atypicalGlands(atypia, mitoses && !mitosesPlaced, debris && !debrisPlaced);
            debrisPlaced |= debris;
            mitosesPlaced |= mitoses;
        }
        if (f.contains(Finding.REGULAR_GLANDS)) {
            epithelium.regularGlands();
        }
        if (f.contains(Finding.KERATIN_PEARLS)) {
            epithelium.squamousNests(atypia, mitoses && !mitosesPlaced, f.contains(Finding.INTERCELLULAR_BRIDGES), true);
            mitosesPlaced |= mitoses;
        }
        if (f.contains(Finding.SQUAMOUS_MATURATION)) {
            epithelium.squamousEpithelium(f.contains(Finding.INTERCELLULAR_BRIDGES));
        } else if (f.contains(Finding.INTERCELLULAR_BRIDGES) && !f.contains(Finding.KERATIN_PEARLS)) {
            epithelium.squamousNests(atypia, mitoses && !mitosesPlaced, true, false);
            mitosesPlaced |= mitoses;
        }
        if (f.contains(Finding.EPITHELIOID_HISTIOCYTES)) {
            lesions.granuloma(f.contains(Finding.CASEOUS_NECROSIS), f.contains(Finding.GIANT_CELLS),
                    f.contains(Finding.LYMPHOCYTES));
        } else {
            if (f.contains(Finding.CASEOUS_NECROSIS)) {
                Shape core = p.region(0.35);
                lesions.caseousNecrosis(core);
                p.mask.take(core);
            }
            if (f.contains(Finding.GIANT_CELLS)) {
                p.cells.giantCell(p.uniform(0.3, 0.7) * size, p.uniform(0.3, 0.7) * size, p.px(p.uniform(12, 16)));
            }
        }
        if (f.contains(Finding.GHOST_CELLS)) {
            lesions.ghostTissue(debris && !debrisPlaced);
            debrisPlaced |= debris;
        }
        Shape focus = null;
        if (debris && !debrisPlaced) {
            focus = lesions.necroticFocus(f.contains(Finding.NEUTROPHILS));
        }
        if (f.contains(Finding.FIBRIN)) {
            p.fibrin(focus != null && rnd.nextDouble() < 0.5 ? focus : null);
        }
        if (f.contains(Finding.HAEMORRHAGE)) {
            p.haemorrhage();
        }
        // Vessels go into the stroma left free by the structures.
        if (f.contains(Finding.CONGESTED_VESSELS)) {
            int n = size >= 200 ? 2 : 1 + (rnd.nextDouble() < 0.3 ? 1 : 0);
            for (int i = 0; i < n; i++) {
                p.vessel(true);
            }
        }
        if (rnd.nextDouble() < 0.45) {
            p.vessel(false);
        }
        if (mitoses && !mitosesPlaced) {
            for (int i = 0; i < 2; i++) {
                p.cells.mitosis(p.uniform(0.15, 0.85) * size, p.uniform(0.15, 0.85) * size, p.uniform(0, Math.PI));
            }
        }
        scatterInflammation(p, f, rnd);
    }

    private void scatterInflammation(StromaPainter p, Set<Finding> f, SplittableRandom rnd) {
        ValueNoise patches = new ValueNoise(size, size, p.px(35), rnd);
        boolean chronic = f.contains(Finding.PLASMA_CELLS);
        boolean sheets = f.contains(Finding.LYMPHOID_SHEETS);
        Map<TissuePainter.Scattered, Double> densities = new EnumMap<>(TissuePainter.Scattered.class);
        if (f.contains(Finding.NEUTROPHILS)) {
            densities.put(TissuePainter.Scattered.NEUTROPHIL, p.uniform(4, 7));
        }
        if (f.contains(Finding.EOSINOPHILS)) {
            densities.put(TissuePainter.Scattered.EOSINOPHIL, p.uniform(3, 5));
        }
        if (chronic) {
            densities.put(TissuePainter.Scattered.PLASMA_CELL, p.uniform(3.5, 5.5));
        }
        if (f.contains(Finding.LYMPHOCYTES) && !sheets) {
            densities.put(TissuePainter.Scattered.LYMPHOCYTE, chronic ? p.uniform(6, 9) : p.uniform(3, 5));
        }
        p.scatter(densities, patches);
    }

    /** A cheap approximately standard-normal number from 64 random bits (sum of four 16-bit uniforms). */
    private static double roughGaussian(long bits) {
        double sum = (bits & 0xffff) + ((bits >>> 16) & 0xffff) + ((bits >>> 32) & 0xffff) + (bits >>> 48);
        return (sum / 65535.0 - 2.0) * 1.7320508;
    }

    /** Turns stain amounts into an RGB image: uneven staining, texture, blur, stain colours, noise. */
    private BufferedImage develop(float[][] amounts, StainModel stain, SplittableRandom rnd, double scale) {
        int n = size * size;
        float[] unevenH = new ValueNoise(size, size, 40 * scale, rnd).raster(size, size);
        float[] unevenE = new ValueNoise(size, size, 40 * scale, rnd).raster(size, size);
        float[] grainH = new ValueNoise(size, size, Math.max(1.2, 0.8 * scale), rnd).raster(size, size);
        float[] grainE = new ValueNoise(size, size, Math.max(1.2, 1.0 * scale), rnd).raster(size, size);
        float[] mottle = new ValueNoise(size, size, 3.5 * scale, rnd).raster(size, size);
        double unevenAmount = 0.08 + 0.08 * rnd.nextDouble();
        for (int i = 0; i < n; i++) {
            amounts[0][i] *= (float) (1 + unevenAmount * unevenH[i] + 0.3 * grainH[i] + 0.12 * mottle[i]);
            amounts[1][i] *= (float) (1 + unevenAmount * unevenE[i] + 0.22 * grainE[i] + 0.1 * mottle[i]);
        }
        double sigma = (0.6 + 0.4 * rnd.nextDouble()) * Math.sqrt(size / 224.0);
        for (float[] plane : amounts) {
            Blur.gaussian(plane, size, size, sigma);
        }
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        double noise = 1.5 + 2.0 * rnd.nextDouble();
        for (int i = 0; i < n; i++) {
            double h = Math.max(0, amounts[0][i]);
            double e = Math.max(0, amounts[1][i]);
            double r = Math.max(0, amounts[2][i]);
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                double v = stain.intensity(c, h, e, r) + noise * roughGaussian(rnd.nextLong());
                rgb = (rgb << 8) | (int) Math.max(0, Math.min(255, Math.round(v)));
            }
            px[i] = rgb;
        }
        return out;
    }
}

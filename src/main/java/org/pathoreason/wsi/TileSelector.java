package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the K patches of a slide to show a vision-language model for a slide question, without a CLIP model: by
 * tissue, and by tissue and diversity (greedy farthest-point over a colour and nuclear-density descriptor and the
 * position on the slide, weighted by tissue share), or spread over the slide.
 */
public final class TileSelector {

    /** How patches are chosen. */
    public enum Rule {
        /** Most tissue first, then each next patch the one least like those already chosen (default). */
        TISSUE_DIVERSE,
        /** The K patches with the most tissue. */
        TISSUE,
        /** Farthest apart on the slide, starting from the one with the most tissue. */
        SPREAD
    }

    /**
     * Chooses the patches to show for one question: a {@link Rule} (which ignores the question) or a
     * {@link ClipTileSelector} (which ranks patches by their CLIP similarity to it).
     */
    public interface Chooser {
        /** Indices into {@code grid}, in the order chosen, at most {@code k}. */
        List<Integer> choose(Slide slide, TileGrid grid, int k, String question, List<String> options);

        /** The name recorded with each prompt ({@code tissue-diverse}, {@code clip}, ...). */
        String name();
    }

    /** A rule as a {@link Chooser}. */
    public static Chooser chooser(Rule rule) {
        return new Chooser() {
            @Override
            public List<Integer> choose(Slide slide, TileGrid grid, int k, String question, List<String> options) {
                return select(slide, grid, k, rule);
            }

            @Override
            public String name() {
                return rule.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            }
        };
    }

    /** Side of the small read each patch's descriptor is taken from. */
    private static final int PROBE = 32;

    private TileSelector() {
    }

    /** Indices into {@code grid} of the chosen patches, in the order chosen. */
    public static List<Integer> select(Slide slide, TileGrid grid, int k, Rule rule) {
        if (k <= 0) {
            throw new IllegalArgumentException("K must be positive, got " + k);
        }
        int n = grid.size();
        List<Integer> chosen = new ArrayList<>();
        if (n == 0) {
            return chosen;
        }
        double[] tissue = grid.tissueFractions();
        int first = 0;
        for (int i = 1; i < n; i++) {
            if (tissue[i] > tissue[first]) {
                first = i;
            }
        }
        if (rule == Rule.TISSUE) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            order.sort((a, b) -> Double.compare(tissue[b], tissue[a]));
            return List.copyOf(order.subList(0, Math.min(k, n)));
        }
        double[][] d = rule == Rule.TISSUE_DIVERSE ? descriptors(slide, grid) : null;
        double diag = Math.hypot(grid.slideWidth(), grid.slideHeight());
        chosen.add(first);
        double[] nearest = new double[n];
        java.util.Arrays.fill(nearest, Double.MAX_VALUE);
        while (chosen.size() < Math.min(k, n)) {
            int last = chosen.get(chosen.size() - 1);
            int best = -1;
            double bestScore = -1;
            for (int i = 0; i < n; i++) {
                if (chosen.contains(i)) {
                    continue;
                }
                double dx = (grid.coords().get(i)[0] - grid.coords().get(last)[0]) / diag;
                double dy = (grid.coords().get(i)[1] - grid.coords().get(last)[1]) / diag;
                double dist = dx * dx + dy * dy;
                if (d != null) {
                    double c = 0;
                    for (int j = 0; j < d[i].length; j++) {
                        c += (d[i][j] - d[last][j]) * (d[i][j] - d[last][j]);
                    }
                    dist = c + 0.25 * dist;
                }
                nearest[i] = Math.min(nearest[i], Math.sqrt(dist));
                double score = nearest[i] * (rule == Rule.SPREAD ? 1 : tissue[i]);
                if (score > bestScore) {
                    bestScore = score;
                    best = i;
                }
            }
            chosen.add(best);
        }
        return chosen;
    }

    /** Per patch: mean and spread of R, G, B and the share of dark (nuclear) pixels, each scaled to about 0..1. */
    static double[][] descriptors(Slide slide, TileGrid grid) {
        double ds = (double) grid.patchSizeLevel0() / PROBE;
        int level = slide.bestLevelForDownsample(ds);
        double lds = slide.level(level).downsample();
        int side = (int) Math.max(1, Math.round(grid.patchSizeLevel0() / lds));
        double[][] out = new double[grid.size()][];
        for (int i = 0; i < grid.size(); i++) {
            long[] c = grid.coords().get(i);
            BufferedImage img = slide.readRegionRgb(c[0], c[1], level, side, side);
            if (side > PROBE) {
                img = Images.resizeArea(img, PROBE, PROBE);
            }
            int[] px = Images.pixels(img);
            double[] sum = new double[3];
            double[] sq = new double[3];
            int dark = 0;
            for (int p : px) {
                int r = (p >> 16) & 0xFF;
                int g = (p >> 8) & 0xFF;
                int b = p & 0xFF;
                sum[0] += r;
                sum[1] += g;
                sum[2] += b;
                sq[0] += r * r;
                sq[1] += g * g;
                sq[2] += b * b;
                if ((r + g + b) / 3 < 110) {
                    dark++;
                }
            }
            double[] d = new double[7];
            for (int j = 0; j < 3; j++) {
                double mean = sum[j] / px.length;
                d[j] = mean / 255;
                d[3 + j] = Math.sqrt(Math.max(0, sq[j] / px.length - mean * mean)) / 64;
            }
            d[6] = (double) dark / px.length * 2;
            out[i] = d;
        }
        return out;
    }
}

package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Chooses a slide's patches for a question by CLIP: every candidate patch and the question are embedded, and a
 * patch's relevance is its cosine similarity to the question's text; with options, the highest similarity to the
 * question or to any one option (an option names what to look for: "Which finding is present?" says nothing a
 * patch can match, "Necrosis" does).
 *
 * <p>With a diversity weight {@code λ > 0} the K patches are chosen by maximal marginal relevance (Carbonell and
 * Goldstein, 1998): each next patch maximises {@code (1 - λ) relevance - λ max cos(patch, chosen patch)}, so K
 * patches are not K near-copies of one field. {@code λ = 0} is the plain cosine order (ties by patch index).
 */
public final class ClipTileSelector implements TileSelector.Chooser {

    /** The default diversity weight: relevance first, near-duplicates pushed down. */
    public static final double DEFAULT_DIVERSITY = 0.25;

    private final ClipPatchEncoder encoder;
    private final double diversity;

    /**
     * @param encoder the CLIP model (the caller closes it)
     * @param diversity the MMR weight in [0, 1): 0 ranks by relevance alone
     */
    public ClipTileSelector(ClipPatchEncoder encoder, double diversity) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        if (!(diversity >= 0 && diversity < 1)) {
            throw new IllegalArgumentException("CLIP diversity weight must be in [0, 1), got " + diversity);
        }
        this.diversity = diversity;
    }

    /** The chosen patches and every candidate's relevance (cosine to the question). */
    public record Ranking(List<Integer> chosen, double[] relevance) {
    }

    @Override
    public List<Integer> choose(Slide slide, TileGrid grid, int k, String question, List<String> options) {
        return rank(slide, grid, k, question, options).chosen();
    }

    @Override
    public String name() {
        return diversity == 0 ? "clip" : "clip-mmr";
    }

    public double diversity() {
        return diversity;
    }

    /** Embeds every patch of {@code grid} and the question, then chooses K. */
    public Ranking rank(Slide slide, TileGrid grid, int k, String question, List<String> options) {
        if (k <= 0) {
            throw new IllegalArgumentException("K must be positive, got " + k);
        }
        int n = grid.size();
        if (n == 0) {
            return new Ranking(List.of(), new double[0]);
        }
        List<String> texts = new ArrayList<>();
        texts.add(question);
        if (options != null) {
            texts.addAll(options);
        }
        float[][] t = encoder.texts(texts);
        float[][] img = new float[n][];
        List<BufferedImage> batch = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < n; i++) {
            batch.add(grid.read(slide, i));
            if (batch.size() == ClipPatchEncoder.BATCH || i == n - 1) {
                float[][] e = encoder.encode(batch);
                System.arraycopy(e, 0, img, from, e.length);
                from += e.length;
                batch.clear();
            }
        }
        double[] relevance = new double[n];
        for (int i = 0; i < n; i++) {
            double best = -Double.MAX_VALUE;
            for (float[] q : t) {
                best = Math.max(best, dot(img[i], q));
            }
            relevance[i] = best;
        }
        return new Ranking(mmr(img, relevance, Math.min(k, n), diversity), relevance);
    }

    /** Greedy maximal marginal relevance over unit vectors; {@code lambda = 0} is the relevance order. */
    static List<Integer> mmr(float[][] items, double[] relevance, int k, double lambda) {
        int n = relevance.length;
        List<Integer> chosen = new ArrayList<>();
        boolean[] taken = new boolean[n];
        double[] closest = new double[n];
        java.util.Arrays.fill(closest, -1);
        while (chosen.size() < k) {
            int best = -1;
            double bestScore = -Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                if (taken[i]) {
                    continue;
                }
                double redundancy = chosen.isEmpty() ? 0 : closest[i];
                double score = (1 - lambda) * relevance[i] - lambda * redundancy;
                if (score > bestScore) {
                    bestScore = score;
                    best = i;
                }
            }
            taken[best] = true;
            chosen.add(best);
            for (int i = 0; i < n; i++) {
                if (!taken[i]) {
                    closest[i] = Math.max(closest[i], dot(items[i], items[best]));
                }
            }
        }
        return chosen;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}

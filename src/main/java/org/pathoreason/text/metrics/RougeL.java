package org.pathoreason.text.metrics;

import java.util.List;
import java.util.Objects;

/**
 * ROUGE-L exactly as pycocoevalcap's {@code Rouge} computes it: the longest common subsequence of tokens gives a
 * precision and a recall per reference; the maximum precision and the maximum recall over the references (taken
 * separately) combine into an F-score with {@code beta = 1.2}. The corpus figure is the mean of per-item scores.
 *
 * <p>Tokens are Python's {@code str.split(" ")} pieces (single spaces, empty pieces kept), as in pycocoevalcap.
 */
public final class RougeL {

    /** pycocoevalcap's recall weight. */
    public static final double BETA = 1.2;

    private RougeL() {
    }

    /** ROUGE-L F of one candidate against its references. */
    public static double score(String candidate, List<String> references) {
        Objects.requireNonNull(candidate, "candidate");
        if (references == null || references.isEmpty()) {
            throw new IllegalArgumentException("ROUGE-L needs at least one reference");
        }
        List<String> cand = PythonStrings.split(candidate, " ");
        double maxPrecision = 0;
        double maxRecall = 0;
        for (String reference : references) {
            List<String> ref = PythonStrings.split(reference, " ");
            int lcs = lcs(ref, cand);
            maxPrecision = Math.max(maxPrecision, lcs / (double) cand.size());
            maxRecall = Math.max(maxRecall, lcs / (double) ref.size());
        }
        if (maxPrecision == 0 || maxRecall == 0) {
            return 0.0;
        }
        double b2 = BETA * BETA;
        return (1 + b2) * maxPrecision * maxRecall / (maxRecall + b2 * maxPrecision);
    }

    /** Per-item ROUGE-L for each candidate. */
    public static double[] scores(List<String> candidates, List<List<String>> references) {
        if (candidates.size() != references.size()) {
            throw new IllegalArgumentException("ROUGE-L needs one reference list per candidate: "
                    + candidates.size() + " candidates, " + references.size() + " reference lists");
        }
        double[] out = new double[candidates.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = score(candidates.get(i), references.get(i));
        }
        return out;
    }

    /** The mean of per-item scores (pycocoevalcap's corpus ROUGE-L); NaN for no items. */
    public static double mean(double[] scores) {
        double sum = 0;
        for (double s : scores) {
            sum += s;
        }
        return scores.length == 0 ? Double.NaN : sum / scores.length;
    }

    /** Length of the longest common subsequence of two token lists. */
    static int lcs(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1];
        int[] cur = new int[b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            String ai = a.get(i - 1);
            for (int j = 1; j <= b.size(); j++) {
                cur[j] = ai.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.size()];
    }
}

package org.pathoreason.text.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * BLEU-1..4 exactly as pycocoevalcap's {@code Bleu(4).compute_score} computes it (the scorer WSI-VQA,
 * PathReasoner and most captioning papers report): cumulative n-gram precisions with reference counts clipped to
 * the maximum over references, the reference length closest to the hypothesis length (ties to the shorter), the
 * brevity penalty, and pycocoevalcap's smoothing constants {@code tiny = 1e-15} (added to matches) and
 * {@code small = 1e-9} (added to n-gram counts).
 *
 * <p>Text is split on whitespace as Python's {@code str.split()} does; pycocoevalcap expects callers to have
 * tokenised already (its PTB tokenizer is a separate step, see {@link CaptionTokenizer}). Case is kept.
 */
public final class Bleu {

    /** The highest n-gram order, as in {@code Bleu(4)}. */
    public static final int MAX_N = 4;
    private static final double TINY = 1e-15;
    private static final double SMALL = 1e-9;

    private Bleu() {
    }

    /**
     * BLEU-1..4 over a corpus and per item.
     *
     * @param corpus {@code corpus[k]} is corpus BLEU-(k+1)
     * @param perItem {@code perItem[i][k]} is BLEU-(k+1) of item i alone
     */
    public record Result(double[] corpus, double[][] perItem) {
    }

    /**
     * Scores hypotheses against their references.
     *
     * @param hypotheses one hypothesis per item
     * @param references at least one reference per item, same order as {@code hypotheses}
     */
    public static Result compute(List<String> hypotheses, List<List<String>> references) {
        Objects.requireNonNull(hypotheses, "hypotheses");
        Objects.requireNonNull(references, "references");
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException("BLEU needs one reference list per hypothesis: "
                    + hypotheses.size() + " hypotheses, " + references.size() + " reference lists");
        }
        int items = hypotheses.size();
        double[][] perItem = new double[items][MAX_N];
        long[] totalCorrect = new long[MAX_N];
        long[] totalGuess = new long[MAX_N];
        long totalTestLen = 0;
        long totalRefLen = 0;
        for (int i = 0; i < items; i++) {
            List<String> refs = references.get(i);
            if (refs == null || refs.isEmpty()) {
                throw new IllegalArgumentException("BLEU item " + i + " has no reference");
            }
            Counts c = count(hypotheses.get(i), refs);
            totalTestLen += c.testLen;
            totalRefLen += c.refLen;
            for (int k = 0; k < MAX_N; k++) {
                totalCorrect[k] += c.correct[k];
                totalGuess[k] += c.guess[k];
            }
            perItem[i] = combine(c.correct, c.guess, c.testLen, c.refLen);
        }
        double[] corpus = combine(totalCorrect, totalGuess, totalTestLen, totalRefLen);
        return new Result(corpus, perItem);
    }

    /** Corpus BLEU-1..4 of a single hypothesis (equal to its per-item score). */
    public static double[] sentence(String hypothesis, List<String> references) {
        return compute(List.of(hypothesis), List.of(references)).corpus();
    }

    private record Counts(long[] correct, long[] guess, int testLen, int refLen) {
    }

    private static Counts count(String hypothesis, List<String> refs) {
        Map<String, Integer> maxRefCounts = new HashMap<>();
        int[] refLens = new int[refs.size()];
        for (int r = 0; r < refs.size(); r++) {
            List<String> words = PythonStrings.split(refs.get(r));
            refLens[r] = words.size();
            ngramCounts(words).forEach((g, n) -> maxRefCounts.merge(g, n, Math::max));
        }
        List<String> words = PythonStrings.split(hypothesis);
        int testLen = words.size();
        long[] correct = new long[MAX_N];
        long[] guess = new long[MAX_N];
        for (int k = 0; k < MAX_N; k++) {
            guess[k] = Math.max(0, testLen - k);
        }
        for (Map.Entry<String, Integer> e : ngramCounts(words).entrySet()) {
            int order = order(e.getKey());
            correct[order - 1] += Math.min(maxRefCounts.getOrDefault(e.getKey(), 0), e.getValue());
        }
        return new Counts(correct, guess, testLen, closestRefLen(refLens, testLen));
    }

    /** The reference length closest to the test length; ties go to the shorter reference. */
    private static int closestRefLen(int[] refLens, int testLen) {
        int best = refLens[0];
        for (int len : refLens) {
            int d = Math.abs(len - testLen);
            int bd = Math.abs(best - testLen);
            if (d < bd || (d == bd && len < best)) {
                best = len;
            }
        }
        return best;
    }

    /** Counts 1..4-grams; an n-gram's key is its words joined by single spaces (words hold no whitespace). */
    private static Map<String, Integer> ngramCounts(List<String> words) {
        Map<String, Integer> counts = new HashMap<>();
        for (int n = 1; n <= MAX_N; n++) {
            for (int i = 0; i + n <= words.size(); i++) {
                counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static int order(String ngram) {
        int n = 1;
        for (int i = 0; i < ngram.length(); i++) {
            if (ngram.charAt(i) == ' ') {
                n++;
            }
        }
        return n;
    }

    private static double[] combine(long[] correct, long[] guess, long testLen, long refLen) {
        double[] scores = new double[MAX_N];
        double product = 1.0;
        for (int k = 0; k < MAX_N; k++) {
            product *= (correct[k] + TINY) / (guess[k] + SMALL);
            scores[k] = Math.pow(product, 1.0 / (k + 1));
        }
        double ratio = (testLen + TINY) / (refLen + SMALL);
        if (ratio < 1) {
            double brevity = Math.exp(1 - 1 / ratio);
            for (int k = 0; k < MAX_N; k++) {
                scores[k] *= brevity;
            }
        }
        return scores;
    }
}

package org.pathoreason.text.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Token-overlap F1 and exact match as the SQuAD evaluation script computes them: both texts are normalised
 * (lower case, ASCII punctuation removed, the articles a/an/the removed, whitespace collapsed), then F1 is the
 * harmonic mean of precision and recall over the multiset of shared tokens. With several gold answers the best
 * one counts. When either side normalises to no tokens, F1 is 1 if both are empty and 0 otherwise (SQuAD 2.0).
 */
public final class TokenF1 {

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);

    private TokenF1() {
    }

    /** SQuAD's {@code normalize_answer}. */
    public static String normalize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        StringBuilder noPunct = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                noPunct.append(c);
            }
        }
        String noArticles = ARTICLES.matcher(noPunct).replaceAll(" ");
        return String.join(" ", PythonStrings.split(noArticles));
    }

    /** Token F1 of a prediction against one gold answer. */
    public static double f1(String prediction, String gold) {
        List<String> pred = PythonStrings.split(normalize(prediction));
        List<String> ref = PythonStrings.split(normalize(gold));
        if (pred.isEmpty() || ref.isEmpty()) {
            return pred.equals(ref) ? 1.0 : 0.0;
        }
        Map<String, Integer> refCounts = new HashMap<>();
        for (String t : ref) {
            refCounts.merge(t, 1, Integer::sum);
        }
        int same = 0;
        for (String t : pred) {
            Integer left = refCounts.get(t);
            if (left != null && left > 0) {
                same++;
                refCounts.put(t, left - 1);
            }
        }
        if (same == 0) {
            return 0.0;
        }
        double precision = same / (double) pred.size();
        double recall = same / (double) ref.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** The best token F1 over several gold answers. */
    public static double f1(String prediction, List<String> golds) {
        double best = 0;
        for (String g : golds) {
            best = Math.max(best, f1(prediction, g));
        }
        return best;
    }

    /** SQuAD exact match: the normalised texts are equal. */
    public static boolean exactMatch(String prediction, String gold) {
        return normalize(prediction).equals(normalize(gold));
    }
}

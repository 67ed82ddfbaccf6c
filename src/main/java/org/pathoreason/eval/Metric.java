package org.pathoreason.eval;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The figures a score can include (chosen with {@code --metrics}). */
public enum Metric {
    /** Accuracy of closed questions (multiple choice, yes/no) with the count of extraction misses. */
    ACC,
    /** Corpus BLEU-1..4 (pycocoevalcap) of open answers and captions. */
    BLEU,
    /** Mean ROUGE-L (pycocoevalcap) of open answers and captions. */
    ROUGE_L,
    /** SQuAD token F1 of open answers. */
    F1,
    /** SQuAD exact match of open answers. */
    EM,
    /** Mean output tokens, where predictions carry them. */
    TOKENS,
    /** Confusion matrix of diagnosis multiple-choice questions. */
    CONFUSION;

    public static Set<Metric> all() {
        return EnumSet.allOf(Metric.class);
    }

    /** Parses a comma-separated list such as {@code acc,bleu,rouge_l}; {@code all} means every metric. */
    public static Set<Metric> parseList(String list) {
        Set<Metric> out = EnumSet.noneOf(Metric.class);
        for (String part : list.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            if (p.isEmpty()) {
                continue;
            }
            switch (p) {
                case "all" -> out.addAll(all());
                case "acc", "accuracy" -> out.add(ACC);
                case "bleu" -> out.add(BLEU);
                case "rouge", "rouge_l" -> out.add(ROUGE_L);
                case "f1", "token_f1" -> out.add(F1);
                case "em", "exact_match" -> out.add(EM);
                case "tokens", "output_tokens", "mean_output_tokens" -> out.add(TOKENS);
                case "confusion" -> out.add(CONFUSION);
                default -> throw new IllegalArgumentException("unknown metric '" + part.trim()
                        + "' (expected acc, bleu, rouge_l, f1, em, tokens, confusion or all)");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no metric named in '" + list + "'");
        }
        return out;
    }
}

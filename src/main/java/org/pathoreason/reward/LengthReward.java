package org.pathoreason.reward;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Length shaping: DAPO's soft overlong punishment ({@link OverlongShaping}, 0 down to {@code -penalty} over the
 * last {@code buffer} tokens before the input's {@code maxCompletionTokens}), plus an optional n-gram repetition
 * penalty as open-r1's {@code repetition_penalty_reward}: with the completion lower-cased and split on white space,
 * {@code maxPenalty * (1 - distinct n-grams / all n-grams)}, 0 for completions shorter than n words.
 *
 * <p>Value = overlong + repetition (both 0 or negative). Parts: {@code overlong}, {@code repetition}.
 */
public final class LengthReward implements Reward {

    private final int buffer;
    private final double overlongPenalty;
    private final int ngram;
    private final double repetitionPenalty;

    /**
     * @param buffer length of the soft-penalty zone in tokens (DAPO: 4096 of 20480); capped at the input's limit
     * @param overlongPenalty penalty at the limit (DAPO: 1)
     * @param ngram n of the repetition n-grams (open-r1: 3)
     * @param repetitionPenalty the most the repetition term takes off (0 turns it off; open-r1 uses -1 as
     *     {@code max_penalty}, given here as its magnitude 1)
     */
    public LengthReward(int buffer, double overlongPenalty, int ngram, double repetitionPenalty) {
        if (buffer < 1 || ngram < 1 || !(overlongPenalty >= 0) || !(repetitionPenalty >= 0)) {
            throw new IllegalArgumentException("need buffer >= 1, ngram >= 1 and penalties >= 0; got buffer " + buffer
                    + ", ngram " + ngram + ", penalties " + overlongPenalty + " and " + repetitionPenalty);
        }
        this.buffer = buffer;
        this.overlongPenalty = overlongPenalty;
        this.ngram = ngram;
        this.repetitionPenalty = repetitionPenalty;
    }

    /** DAPO's overlong shaping only. */
    public static LengthReward overlong(int buffer, double penalty) {
        return new LengthReward(buffer, penalty, 3, 0);
    }

    @Override
    public String name() {
        return "length";
    }

    @Override
    public RewardResult score(RewardInput input) {
        double overlong = 0;
        if (input.maxCompletionTokens() > 0) {
            int limit = input.maxCompletionTokens();
            overlong = new OverlongShaping(limit, Math.min(buffer, limit), overlongPenalty)
                    .reward(input.completionTokens());
        }
        // "+ 0.0" turns -0.0 into 0.0 so that logs read cleanly.
        double repetition = -repetitionPenalty * repetitionRate(input.completion(), ngram) + 0.0;
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("overlong", overlong);
        parts.put("repetition", repetition);
        return new RewardResult(overlong + repetition, parts);
    }

    /** 1 - distinct/total over the word n-grams of the lower-cased text; 0 when it has fewer than n words. */
    public static double repetitionRate(String text, int n) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return 0;
        }
        List<String> words = List.of(trimmed.toLowerCase(java.util.Locale.ROOT).split("(?U)\\s+"));
        if (words.size() < n) {
            return 0;
        }
        Set<List<String>> distinct = new HashSet<>();
        int total = 0;
        for (int i = 0; i + n <= words.size(); i++) {
            distinct.add(words.subList(i, i + n));
            total++;
        }
        return 1.0 - (double) distinct.size() / total;
    }
}

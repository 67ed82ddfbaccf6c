package org.pathoreason.train.sft;

import java.util.Locale;

/**
 * How a multiple-choice answer is written inside {@code <answer>}. Both forms are what the strict extractor (and
 * the accuracy reward built on it) accepts: a bare letter, or the letter followed by that option's own text.
 */
public enum AnswerStyle {
    /** {@code B} */
    LETTER("letter"),
    /** {@code B. Chronic inflammation} */
    LETTER_TEXT("letter-text");

    private final String id;

    AnswerStyle(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static AnswerStyle parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (AnswerStyle s : values()) {
            if (s.id.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown answer_style '" + name + "', expected letter or letter-text");
    }
}

package org.pathoreason.train.sft;

import java.util.Locale;

/**
 * How a multiple-choice answer is written inside {@code <answer>}. {@link #LETTER} and {@link #LETTER_TEXT} are
 * what the strict extractor (and the accuracy reward built on it) accepts; {@link #TEXT} is read by the lenient
 * extractor (an answer equal to an option's text), not by the strict one.
 */
public enum AnswerStyle {
    /** {@code B} */
    LETTER("letter"),
    /** {@code B. Chronic inflammation} */
    LETTER_TEXT("letter-text"),
    /** {@code Chronic inflammation}: the option's text alone. */
    TEXT("text");

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
        throw new IllegalArgumentException("unknown answer_style '" + name + "', expected letter, letter-text or text");
    }
}

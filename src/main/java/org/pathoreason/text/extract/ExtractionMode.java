package org.pathoreason.text.extract;

import java.util.Locale;

/** How answers are read from completions; see {@link AnswerExtractor#create}. */
public enum ExtractionMode {
    /** PathVLM-R1: the {@code <answer>} content must be exactly one option letter, optionally with its text. */
    STRICT,
    /** PathMMU's official {@code get_multi_choice_prediction} on the raw completion (tags not stripped). */
    PATHMMU,
    /** Tags stripped (the answer block if any), then PathMMU's rules made a little more forgiving. */
    LENIENT;

    /** Parses {@code strict}, {@code pathmmu} or {@code lenient}. */
    public static ExtractionMode parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown extraction mode '" + name
                    + "' (expected strict, pathmmu or lenient)");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}

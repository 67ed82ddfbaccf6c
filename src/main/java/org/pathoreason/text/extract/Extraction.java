package org.pathoreason.text.extract;

/**
 * What an extractor read from a completion.
 *
 * @param value the extracted answer (an option letter, {@code yes}/{@code no}, or free text); null for a miss
 * @param status whether the answer was found, read from an untagged completion, missed, or (PathMMU fallback)
 *     drawn at random
 */
public record Extraction(String value, Status status) {

    /** How the value came about. */
    public enum Status {
        /** Read from the completion. */
        FOUND,
        /**
         * No {@code <answer>} tag: the whole text, reasoning removed ({@link AnswerExtractor#rawAnswer}), stands as
         * the answer of an open question, as benchmarks score raw output. Not a miss.
         */
        UNTAGGED,
        /** Nothing usable; counts as wrong. */
        MISS,
        /** Nothing usable, and PathMMU's random fallback chose a letter; still an extraction miss. */
        RANDOM_FALLBACK
    }

    public static Extraction found(String value) {
        return new Extraction(value, Status.FOUND);
    }

    public static Extraction miss() {
        return new Extraction(null, Status.MISS);
    }

    public static Extraction untagged(String value) {
        return new Extraction(value, Status.UNTAGGED);
    }

    public static Extraction random(String value) {
        return new Extraction(value, Status.RANDOM_FALLBACK);
    }

    /** True unless the answer was read from the completion (a miss or a random draw). */
    public boolean isMiss() {
        return status == Status.MISS || status == Status.RANDOM_FALLBACK;
    }
}

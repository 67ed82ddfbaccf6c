package org.pathoreason.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A paper's claim about two stages of a pipeline, tested on their paired per-question results: one or more
 * {@link Part}s, each a difference {@code stage - baseline} of one {@link Measure} over the same test questions,
 * with the direction the claim expects.
 *
 * @param name short name ("beta > alpha")
 * @param source whose claim it is and what it says
 * @param parts what must hold, all of them
 */
public record Claim(String name, String source, List<Part> parts) {

    public Claim {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("claim " + name + " has no parts");
        }
    }

    /** What is compared per question. */
    public enum Measure {
        /** Closed questions: 1 right, 0 wrong, the guessing chance for an unreadable answer (the tables' accuracy). */
        ACCURACY,
        /** Every test question: tokens generated. */
        OUTPUT_TOKENS,
        /** Every test question: the entity reward of the completion. */
        ENTITY;

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** What the claim expects of {@code stage - baseline}. */
    public enum Direction {
        /** Above 0: holds when the interval lies above 0, does not hold when it lies below 0. */
        HIGHER,
        /** Below 0: holds when the interval lies below 0, does not hold when it lies above 0. */
        LOWER,
        /**
         * Not below {@code -margin} (non-inferiority): holds when the interval lies above {@code -margin}, does not
         * hold when it lies below {@code -margin}.
         */
        NOT_LOWER
    }

    /** What a claim, or one of its parts, comes to at the interval's confidence level. */
    public enum Verdict {
        HOLDS("holds"), DOES_NOT_HOLD("does not hold"), UNDECIDED("undecided");

        private final String text;

        Verdict(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * One difference the claim is about.
     *
     * @param measure what is compared
     * @param stage the stage the claim is about
     * @param baseline the stage it is compared with
     * @param direction what the claim expects of {@code stage - baseline}
     * @param margin for {@link Direction#NOT_LOWER}: the largest drop still counted as "not lower"; 0 otherwise
     */
    public record Part(Measure measure, String stage, String baseline, Direction direction, double margin) {

        public Part {
            Objects.requireNonNull(measure, "measure");
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(baseline, "baseline");
            Objects.requireNonNull(direction, "direction");
            if (margin < 0 || (direction != Direction.NOT_LOWER && margin != 0)) {
                throw new IllegalArgumentException("a margin (>= 0) belongs to a not-lower part only, got " + margin);
            }
        }

        public static Part higher(Measure m, String stage, String baseline) {
            return new Part(m, stage, baseline, Direction.HIGHER, 0);
        }

        public static Part lower(Measure m, String stage, String baseline) {
            return new Part(m, stage, baseline, Direction.LOWER, 0);
        }

        public static Part notLower(Measure m, String stage, String baseline, double margin) {
            return new Part(m, stage, baseline, Direction.NOT_LOWER, margin);
        }

        /** The verdict of an interval of {@code stage - baseline}. */
        public Verdict verdict(double low, double high) {
            return switch (direction) {
                case HIGHER -> low > 0 ? Verdict.HOLDS : high < 0 ? Verdict.DOES_NOT_HOLD : Verdict.UNDECIDED;
                case LOWER -> high < 0 ? Verdict.HOLDS : low > 0 ? Verdict.DOES_NOT_HOLD : Verdict.UNDECIDED;
                case NOT_LOWER -> low > -margin ? Verdict.HOLDS : high < -margin ? Verdict.DOES_NOT_HOLD
                        : Verdict.UNDECIDED;
            };
        }

        /** "beta - alpha accuracy > 0", "final - beta accuracy > -0.02". */
        public String describe() {
            String sign = switch (direction) {
                case HIGHER -> "> 0";
                case LOWER -> "< 0";
                case NOT_LOWER -> String.format(Locale.ROOT, "> -%s", trim(margin));
            };
            return stage + " - " + baseline + " " + measure.id() + " " + sign;
        }

        private static String trim(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /** All parts hold: holds; any part does not hold: does not hold; else undecided. */
    public static Verdict combine(List<Verdict> parts) {
        if (parts.contains(Verdict.DOES_NOT_HOLD)) {
            return Verdict.DOES_NOT_HOLD;
        }
        return parts.stream().allMatch(v -> v == Verdict.HOLDS) ? Verdict.HOLDS : Verdict.UNDECIDED;
    }
}

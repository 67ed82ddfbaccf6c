package org.pathoreason.data.reason;

import java.util.Locale;

/**
 * Settings of knowledge-graph-guided reasoning data; {@link #defaults()} follows PathReasoner-R1's recipe.
 *
 * @param maxPathLength longest path, in steps, from a finding to the answer (or to a wrong option)
 * @param maxPathsPerPair most shortest paths kept per finding-answer pair
 * @param maxPaths most paths a chain is written from (the shortest over all findings, fewest steps walked against
 *     their relation first, one per finding before any finding's second)
 * @param differential also reason about the wrong options of a multiple-choice question; a sample whose graph
 *     gives a wrong option as much direct support from the findings as the answer is rejected
 * @param minEntityScore least entity score ({@code EntityOverlap}: the chain's entities against the sample's gold
 *     entities, or its findings and answer, and the wrong options it argues against) a chain must reach to be kept
 */
public record ReasonOptions(int maxPathLength, int maxPathsPerPair, int maxPaths, boolean differential,
                            double minEntityScore) {

    public ReasonOptions {
        check(maxPathLength >= 1 && maxPathLength <= 6, "maxPathLength must be in [1, 6], got %s", maxPathLength);
        check(maxPathsPerPair >= 1, "maxPathsPerPair must be >= 1, got %s", maxPathsPerPair);
        check(maxPaths >= 1, "maxPaths must be >= 1, got %s", maxPaths);
        check(minEntityScore >= 0 && minEntityScore <= 1, "minEntityScore must be in [0, 1], got %s", minEntityScore);
    }

    /** Paths up to 3 steps, 2 per pair, 4 per chain, differential reasoning on, entity score at least 0.5. */
    public static ReasonOptions defaults() {
        return new ReasonOptions(3, 2, 4, true, 0.5);
    }

    public ReasonOptions withMaxPathLength(int n) {
        return new ReasonOptions(n, maxPathsPerPair, maxPaths, differential, minEntityScore);
    }

    public ReasonOptions withMaxPaths(int n) {
        return new ReasonOptions(maxPathLength, maxPathsPerPair, n, differential, minEntityScore);
    }

    public ReasonOptions withDifferential(boolean on) {
        return new ReasonOptions(maxPathLength, maxPathsPerPair, maxPaths, on, minEntityScore);
    }

    public ReasonOptions withMinEntityScore(double s) {
        return new ReasonOptions(maxPathLength, maxPathsPerPair, maxPaths, differential, s);
    }

    private static void check(boolean ok, String template, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, template, value));
        }
    }
}

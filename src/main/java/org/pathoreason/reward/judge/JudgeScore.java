package org.pathoreason.reward.judge;

import java.util.EnumSet;
import java.util.Set;
import org.pathoreason.reward.judge.ProcessRubric.IntegrityItem;
import org.pathoreason.reward.judge.ProcessRubric.KnowledgeBreach;

/**
 * A judge's verdict on one completion under the {@link ProcessRubric}.
 *
 * @param integrity Integrity score in [0, 1]
 * @param knowledge Knowledge score in [0, 1]
 * @param missing the integrity elements found missing (empty when the judge gave only scores)
 * @param breaches the knowledge errors found (empty when the judge gave only scores)
 * @param source where the verdict came from
 * @param note a short explanation (the judge's comment, or why the fallback was used)
 */
public record JudgeScore(double integrity, double knowledge, Set<IntegrityItem> missing,
                         Set<KnowledgeBreach> breaches, Source source, String note) {

    /** Where a verdict came from. */
    public enum Source { JUDGED, CACHED, FALLBACK }

    public JudgeScore {
        checkUnit(integrity, "integrity");
        checkUnit(knowledge, "knowledge");
        missing = missing == null || missing.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(missing));
        breaches = breaches == null || breaches.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(breaches));
        note = note == null ? "" : note;
    }

    /** A verdict computed by the rubric from what is missing and what is wrong. */
    public static JudgeScore of(Set<IntegrityItem> missing, Set<KnowledgeBreach> breaches, String note) {
        return new JudgeScore(ProcessRubric.integrity(missing), ProcessRubric.knowledge(breaches), missing, breaches,
                Source.JUDGED, note);
    }

    /** The configured score used when the judge cannot give one. */
    public static JudgeScore fallback(double integrity, double knowledge, String reason) {
        return new JudgeScore(integrity, knowledge, Set.of(), Set.of(), Source.FALLBACK, reason);
    }

    /** The process reward: the mean of Integrity and Knowledge. */
    public double process() {
        return (integrity + knowledge) / 2;
    }

    public JudgeScore withSource(Source s) {
        return new JudgeScore(integrity, knowledge, missing, breaches, s, note);
    }

    private static void checkUnit(double v, String what) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1], got " + v);
        }
    }
}

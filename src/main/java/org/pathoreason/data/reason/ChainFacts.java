package org.pathoreason.data.reason;

import java.util.List;
import org.pathoreason.data.Sample;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.GraphPath;

/**
 * What a chain of thought is written from: the sample, the findings it names, the entity its answer names, the
 * chosen paths from findings to the answer, and for multiple choice why each wrong option fits less.
 *
 * @param sample the labelled sample
 * @param findings entities seen (from the findings, caption and gold entities), in order of mention
 * @param target the entity the answer names (the asked-about entity for a yes/no question)
 * @param targetSeen whether the target is itself among the findings seen (a feature question's answer)
 * @param support findings directly linked to {@code target} by a positive relation
 * @param paths the chosen paths from findings to {@code target}, best first
 * @param differential one entry per wrong option (multiple choice only)
 */
public record ChainFacts(Sample sample, List<Entity> findings, Entity target, boolean targetSeen, List<Entity> support,
                         List<GraphPath> paths, List<Differential> differential) {

    /**
     * A wrong option and how the findings bear on it.
     *
     * @param letter the option letter
     * @param option the option text
     * @param entity the option's entity, or null when the graph does not know it
     * @param support findings directly linked to it by a positive relation
     * @param against findings it lacks by a negative relation ({@code has_not_morphologic_evidence})
     * @param missingRequired findings it requires ({@code has_finding} with {@code required=true}) that are not seen
     * @param notSeen true when the answer is itself a finding seen in the image and this option is not seen
     * @param path the shortest path from a finding to it, or null
     */
    public record Differential(String letter, String option, Entity entity, List<Entity> support,
                               List<Entity> against, List<Entity> missingRequired, boolean notSeen, GraphPath path) {

        public Differential {
            support = List.copyOf(support);
            against = List.copyOf(against);
            missingRequired = List.copyOf(missingRequired);
        }

        /** Whether the findings or the graph rule this option out whatever its support. */
        public boolean ruledOut() {
            return !against.isEmpty() || !missingRequired.isEmpty() || notSeen;
        }
    }

    public ChainFacts {
        findings = List.copyOf(findings);
        support = List.copyOf(support);
        paths = List.copyOf(paths);
        differential = List.copyOf(differential);
    }
}

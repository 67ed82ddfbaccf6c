package org.pathoreason.reward.judge;

import java.util.Collection;

/**
 * PathVLM-R1's process rubric. Two criteria, each starting at 1 and losing 0.4 per item, floored at 0, averaged
 * into the process reward:
 *
 * <ul>
 *   <li><b>Integrity</b>: 0.4 off for each missing element of a complete diagnosis: analysis of image features,
 *       step-by-step elimination of the other options, reference to medical knowledge.
 *   <li><b>Knowledge</b>: 0.4 off for each error: a breach of histological definitions, a logical contradiction,
 *       an outdated or wrong diagnostic standard.
 * </ul>
 */
public final class ProcessRubric {

    /** Points taken off per missing element or error. */
    public static final double DEDUCTION = 0.4;

    /** Elements of a complete reasoning; each one missing costs {@link #DEDUCTION} of Integrity. */
    public enum IntegrityItem {
        IMAGE_FEATURES("image_features", "analyses the image features (what is seen in the image)"),
        OPTION_ELIMINATION("option_elimination",
                "eliminates the other options step by step (for multiple choice; counts as present otherwise)"),
        MEDICAL_KNOWLEDGE("medical_knowledge", "refers to medical knowledge (definitions, criteria, associations)");

        private final String key;
        private final String description;

        IntegrityItem(String key, String description) {
            this.key = key;
            this.description = description;
        }

        /** The JSON key used in judge replies. */
        public String key() {
            return key;
        }

        public String description() {
            return description;
        }
    }

    /** Errors of knowledge; each one present costs {@link #DEDUCTION} of Knowledge. */
    public enum KnowledgeBreach {
        HISTOLOGY_DEFINITION("histology_definition_breach",
                "breaches a histological definition (a finding or entity described against its definition)"),
        LOGICAL_CONTRADICTION("logical_contradiction",
                "contradicts itself (e.g. the reasoning concludes one thing and the answer says another)"),
        OUTDATED_STANDARD("outdated_or_wrong_standard", "applies an outdated or wrong diagnostic standard");

        private final String key;
        private final String description;

        KnowledgeBreach(String key, String description) {
            this.key = key;
            this.description = description;
        }

        /** The JSON key used in judge replies. */
        public String key() {
            return key;
        }

        public String description() {
            return description;
        }
    }

    private ProcessRubric() {
    }

    /** Integrity for a number of missing elements: max(0, 1 - 0.4 k). */
    public static double integrity(int missing) {
        return deduct(missing);
    }

    /** Knowledge for a number of errors: max(0, 1 - 0.4 k). */
    public static double knowledge(int breaches) {
        return deduct(breaches);
    }

    public static double integrity(Collection<IntegrityItem> missing) {
        return deduct(missing.size());
    }

    public static double knowledge(Collection<KnowledgeBreach> breaches) {
        return deduct(breaches.size());
    }

    private static double deduct(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + k);
        }
        // In tenths so that 1 - 0.4 - 0.4 is exactly 0.2.
        return Math.max(0, (10 - 4 * k) / 10.0);
    }
}

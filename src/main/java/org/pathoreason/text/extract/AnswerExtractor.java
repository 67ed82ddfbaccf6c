package org.pathoreason.text.extract;

import java.util.List;

/**
 * Reads the answer from a model completion. Implementations differ in how forgiving they are; pick one with
 * {@link #create(ExtractionMode, boolean)}. An extractor may hold state (PathMMU's random generator), so use one
 * per scoring run and feed it samples in a fixed order.
 */
public interface AnswerExtractor {

    /** The mode this extractor implements. */
    ExtractionMode mode();

    /**
     * The option letter a completion gives for a multiple-choice question.
     *
     * @param completion the model's full output
     * @param options the option texts, without letters, in letter order
     */
    Extraction choice(String completion, List<String> options);

    /** {@code yes} or {@code no}, or a miss. */
    Extraction yesNo(String completion);

    /** The free-text answer of an open question or caption (never null; empty for a strict miss). */
    Extraction text(String completion);

    /**
     * An extractor for a mode.
     *
     * @param randomFallback for {@link ExtractionMode#PATHMMU}: when nothing matches, choose a letter at random as
     *     PathMMU does (its generator seeded with 42 once per run); otherwise a miss. Ignored by the other modes.
     */
    static AnswerExtractor create(ExtractionMode mode, boolean randomFallback) {
        return switch (mode) {
            case STRICT -> new StrictExtractor();
            case PATHMMU -> new PathMmuExtractor(randomFallback);
            case LENIENT -> new LenientExtractor();
        };
    }
}

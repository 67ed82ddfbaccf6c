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
     * Whether a completion carries an {@code <answer>} tag at all (opened or closed, any case). Most systems other
     * than R1-style models write none; scoring counts them.
     */
    static boolean hasAnswerTag(String completion) {
        return AnswerTags.hasAnswerTag(completion);
    }

    /**
     * The answer of a completion read as raw output, as benchmarks that do not use tags score it: the whole text
     * with {@code <think>}/{@code <observe>} reasoning removed (also reasoning before a {@code </think>} whose
     * opening tag was in the prompt) and tag markers dropped.
     */
    static String rawAnswer(String completion) {
        return AnswerTags.withoutReasoning(completion);
    }

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

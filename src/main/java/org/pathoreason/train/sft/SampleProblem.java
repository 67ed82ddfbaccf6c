package org.pathoreason.train.sft;

import org.pathoreason.util.PathoReasonException;

/**
 * A sample that cannot become a training example (no reasoning for an SFT target, no caption for pretraining, an
 * unknown option letter, a prompt longer than {@code max_length}). The message says what is wrong; the data loader
 * adds the file and line.
 */
public class SampleProblem extends PathoReasonException {

    /** What kind of problem, for the counts in {@code run.json}. */
    public enum Kind {
        /** Data that is wrong or incomplete for this stage: reported, then skipped or stopped on. */
        BAD_DATA,
        /** A well-formed sample whose prompt alone exceeds {@code max_length}: always skipped, counted. */
        TOO_LONG
    }

    private final Kind kind;

    public SampleProblem(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public SampleProblem(String message) {
        this(Kind.BAD_DATA, message);
    }

    public Kind kind() {
        return kind;
    }
}

package org.pathoreason.data.reason;

/**
 * A chain of thought as written by a teacher: what is seen, the reasoning, and the answer it ends at.
 *
 * @param observe the findings, as the {@code <observe>} of the target
 * @param think the reasoning, as the {@code <think>}
 * @param answer the answer the reasoning reaches (letter for multiple choice, yes/no, or the answer text)
 */
public record Chain(String observe, String think, String answer) {

    /** The chain as a completion: {@code <observe>..</observe><think>..</think><answer>..</answer>}. */
    public String completion() {
        return "<observe>" + observe + "</observe><think>" + think + "</think><answer>" + answer + "</answer>";
    }
}

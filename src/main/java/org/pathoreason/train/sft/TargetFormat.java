package org.pathoreason.train.sft;

import java.util.Locale;

/** The shape of the assistant turn an SFT example teaches. */
public enum TargetFormat {
    /** {@code <think>reasoning</think><answer>answer</answer>} (Patho-R1, PathVLM-R1). */
    THINK_ANSWER("think-answer"),
    /** {@code <observe>findings</observe><think>reasoning</think><answer>answer</answer>} (PathReasoner-R1). */
    OBSERVE_THINK_ANSWER("observe-think-answer"),
    /** {@code <answer>answer</answer>} only (samples without reasoning, answer-only baselines). */
    ANSWER("answer"),
    /**
     * {@code <think></think><answer>answer</answer>}: the R1 format with nothing inside {@code <think>}, for
     * answer-only data (RL questions used for SFT, as in PathVLM-R1's gamma and delta variants). The model learns
     * the answers and keeps the format the rewards and the evaluation read, without a chain of thought to copy;
     * whatever reasoning it writes is its own.
     */
    EMPTY_THINK_ANSWER("empty-think-answer");

    private final String id;

    TargetFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static TargetFormat parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (TargetFormat f : values()) {
            if (f.id.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown target '" + name
                + "', expected think-answer, observe-think-answer, answer or empty-think-answer");
    }
}

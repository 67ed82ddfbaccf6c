package org.pathoreason.reward;

import java.util.Objects;
import org.pathoreason.data.Sample;

/**
 * What a reward sees of one rollout: the sample (question, options, gold answer, gold entities, images), the
 * completion text the policy produced, its length in tokens and the length limit it was sampled under.
 *
 * @param sample the sample the prompt was built from
 * @param completion the generated text (after the prompt, special tokens removed)
 * @param completionTokens number of generated tokens
 * @param maxCompletionTokens the generation limit; a completion of this length was (probably) cut off
 */
public record RewardInput(Sample sample, String completion, int completionTokens, int maxCompletionTokens) {

    public RewardInput {
        Objects.requireNonNull(sample, "sample");
        completion = completion == null ? "" : completion;
        if (completionTokens < 0 || maxCompletionTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, got " + completionTokens + " of "
                    + maxCompletionTokens + " for sample " + sample.id());
        }
    }

    /** An input for rewards that do not look at lengths (tests, evaluation of saved predictions). */
    public static RewardInput of(Sample sample, String completion) {
        return new RewardInput(sample, completion, 0, 0);
    }

    /** Whether generation stopped at the length limit rather than at an end token. */
    public boolean truncated() {
        return maxCompletionTokens > 0 && completionTokens >= maxCompletionTokens;
    }
}

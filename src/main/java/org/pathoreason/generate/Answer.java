package org.pathoreason.generate;

import org.pathoreason.text.ReasoningTags;

/**
 * What the model said, split the way the seeds' models write it: {@code <observe>} (what is seen),
 * {@code <think>} (the reasoning) and {@code <answer>}.
 *
 * @param text the whole completion, stop token removed
 * @param observe the {@code <observe>} span, or null when the model wrote none
 * @param think the {@code <think>} span, or null
 * @param answer the {@code <answer>} span, or null when the model gave no tagged answer
 * @param promptTokens tokens of the prompt (image pads included)
 * @param completionTokens tokens generated
 * @param finishReason why generation stopped
 */
public record Answer(String text, String observe, String think, String answer, int promptTokens,
        int completionTokens, FinishReason finishReason) {

    static Answer of(GenerationResult r, int promptTokens) {
        ReasoningTags.Parsed parsed = ReasoningTags.parse(r.text());
        return new Answer(r.text(), parsed.observeText().orElse(null), parsed.thinkText().orElse(null),
                parsed.answerText().orElse(null), promptTokens, r.tokenIds().length, r.finishReason());
    }
}

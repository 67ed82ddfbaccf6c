package org.pathoreason.text.extract;

import java.util.Optional;
import java.util.regex.Pattern;
import org.pathoreason.text.ReasoningTags;

/**
 * The parts of an R1-style completion that answer extraction needs, read with the project's
 * {@link ReasoningTags} parser so that evaluation and rewards agree on what the answer is.
 */
final class AnswerTags {

    private static final Pattern REASONING_BLOCK = Pattern.compile(
            "<(think|observe|info)>.*?</\\1>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
    private static final Pattern ANY_TAG = Pattern.compile("</?(think|observe|info|answer)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ANSWER_TAG = Pattern.compile("</?answer>", Pattern.CASE_INSENSITIVE);
    // A closing reasoning tag left after complete blocks are removed has no opening: the prompt opened it.
    private static final Pattern UNOPENED_REASONING = Pattern.compile(
            "^.*</(think|observe|info)>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

    private AnswerTags() {
    }

    /**
     * The content of the first complete {@code <answer>...</answer>} span (opened and closed), trimmed; as R1-V and
     * PathVLM-R1 read it with {@code <answer>(.*?)</answer>}, except that tags match in any case and the content
     * may span lines.
     */
    static Optional<String> answer(String completion) {
        ReasoningTags.Parsed p = ReasoningTags.parse(completion);
        if (p.answer() == null || p.unclosed().contains(ReasoningTags.Tag.ANSWER)
                || p.unopened().contains(ReasoningTags.Tag.ANSWER)) {
            return Optional.empty();
        }
        return Optional.of(p.answer());
    }

    /**
     * The answer as a forgiving reader sees it: the {@code <answer>} content, even when the span was cut short
     * ({@code <answer>B} at the token limit) or never opened; else the text outside reasoning blocks; else the
     * whole text with tag markers removed.
     */
    static String lenientAnswer(String completion) {
        ReasoningTags.Parsed p = ReasoningTags.parse(completion);
        if (p.answer() != null) {
            return p.answer();
        }
        return withoutReasoning(completion);
    }

    /** Whether the completion has an {@code <answer>} or {@code </answer>} marker (any case). */
    static boolean hasAnswerTag(String completion) {
        return completion != null && ANSWER_TAG.matcher(completion).find();
    }

    /**
     * The completion without its reasoning: complete {@code <think>}, {@code <observe>} and {@code <info>} blocks
     * removed, and everything up to a closing reasoning tag that was never opened ({@code reasoning</think> answer},
     * when the prompt opened {@code <think>}); then tag markers dropped and the rest trimmed. When nothing is left
     * (the completion is all reasoning), the whole text without tag markers.
     */
    static String withoutReasoning(String completion) {
        String text = completion == null ? "" : completion;
        String outside = REASONING_BLOCK.matcher(text).replaceAll(" ");
        outside = UNOPENED_REASONING.matcher(outside).replaceFirst(" ");
        outside = ANY_TAG.matcher(outside).replaceAll(" ").strip();
        if (!outside.isEmpty()) {
            return outside;
        }
        return ANY_TAG.matcher(text).replaceAll(" ").strip();
    }
}

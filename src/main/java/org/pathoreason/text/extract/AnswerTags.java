package org.pathoreason.text.extract;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of an R1-style completion that answer extraction needs: the {@code <answer>} content and the text
 * with reasoning blocks and tag markers removed.
 */
final class AnswerTags {

    private static final Pattern ANSWER = Pattern.compile("<answer>(.*?)</answer>", Pattern.DOTALL);
    private static final Pattern OPEN_ANSWER = Pattern.compile("<answer>(.*)\\z", Pattern.DOTALL);
    private static final Pattern REASONING_BLOCK = Pattern.compile(
            "<(think|observe|info)>.*?</\\1>", Pattern.DOTALL);
    private static final Pattern ANY_TAG = Pattern.compile("</?(think|observe|info|answer)>");

    private AnswerTags() {
    }

    /** The content of the first complete {@code <answer>...</answer>}, trimmed. */
    static Optional<String> answer(String completion) {
        Matcher m = ANSWER.matcher(completion);
        return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
    }

    /**
     * The answer as a forgiving reader sees it: the {@code <answer>} content; else the text after an unclosed
     * {@code <answer>} (a completion cut at the token limit); else the text outside reasoning blocks; else the
     * whole text with tag markers removed.
     */
    static String lenientAnswer(String completion) {
        Optional<String> closed = answer(completion);
        if (closed.isPresent()) {
            return closed.get();
        }
        Matcher open = OPEN_ANSWER.matcher(completion);
        if (open.find()) {
            return ANY_TAG.matcher(open.group(1)).replaceAll(" ").strip();
        }
        String outside = ANY_TAG.matcher(REASONING_BLOCK.matcher(completion).replaceAll(" ")).replaceAll(" ").strip();
        if (!outside.isEmpty()) {
            return outside;
        }
        return ANY_TAG.matcher(completion).replaceAll(" ").strip();
    }
}

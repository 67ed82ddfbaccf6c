package org.pathoreason.serve;

import java.util.Locale;

/**
 * Splits a completion, as it streams, into the reasoning ({@code <observe>} and {@code <think>} spans) and the
 * content (the {@code <answer>} span and any text outside tags), the way vLLM's reasoning parsers fill
 * {@code reasoning_content} and {@code content}. Tags are matched case-insensitively and left out; a tag split
 * across deltas is held back until it is complete. Leading whitespace inside a span is dropped, as is whitespace
 * between tags; a second reasoning span is set apart from the first by a blank line. Text before any tag is content
 * as it comes, so a completion without tags is all content (a judge's JSON verdict, a plain answer).
 */
final class ReasoningSplitter {

    /** What a delta adds to each field (either may be empty). */
    record Delta(String reasoning, String content) {
        boolean isEmpty() {
            return reasoning.isEmpty() && content.isEmpty();
        }
    }

    private enum Mode { OUTSIDE, REASONING, ANSWER }

    private static final String[] TAGS = {"<observe>", "</observe>", "<think>", "</think>", "<answer>", "</answer>"};

    private final StringBuilder pending = new StringBuilder();
    private Mode mode = Mode.OUTSIDE;
    private boolean reasoningStarted;
    private boolean reasoningSpanStart;
    private boolean answerSpanStart;
    private boolean afterTag;

    Delta feed(String text) {
        pending.append(text);
        return drain(false);
    }

    /** Flushes what was held back (an unfinished tag is text). */
    Delta finish() {
        return drain(true);
    }

    private Delta drain(boolean end) {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        int i = 0;
        while (i < pending.length()) {
            int lt = pending.indexOf("<", i);
            if (lt < 0) {
                emit(pending.substring(i), reasoning, content);
                i = pending.length();
                break;
            }
            emit(pending.substring(i, lt), reasoning, content);
            String rest = pending.substring(lt, Math.min(pending.length(), lt + 11)).toLowerCase(Locale.ROOT);
            String tag = null;
            boolean partial = false;
            for (String t : TAGS) {
                if (rest.startsWith(t)) {
                    tag = t;
                    break;
                }
                if (t.startsWith(rest)) {
                    partial = true;
                }
            }
            if (tag != null) {
                switchOn(tag);
                i = lt + tag.length();
            } else if (partial && !end) {
                i = lt;
                break;
            } else {
                emit("<", reasoning, content);
                i = lt + 1;
            }
        }
        pending.delete(0, i);
        if (end && pending.length() > 0) {
            emit(pending.toString(), reasoning, content);
            pending.setLength(0);
        }
        return new Delta(reasoning.toString(), content.toString());
    }

    private void switchOn(String tag) {
        afterTag = true;
        switch (tag) {
            case "<observe>", "<think>" -> {
                mode = Mode.REASONING;
                reasoningSpanStart = true;
            }
            case "<answer>" -> {
                mode = Mode.ANSWER;
                answerSpanStart = true;
            }
            default -> mode = Mode.OUTSIDE;
        }
    }

    private void emit(String text, StringBuilder reasoning, StringBuilder content) {
        if (text.isEmpty()) {
            return;
        }
        if (mode == Mode.REASONING) {
            if (reasoningSpanStart) {
                text = text.stripLeading();
                if (text.isEmpty()) {
                    return;
                }
                if (reasoningStarted) {
                    reasoning.append("\n\n");
                }
                reasoningSpanStart = false;
            }
            reasoningStarted = true;
            reasoning.append(text);
        } else if (mode == Mode.ANSWER) {
            if (answerSpanStart) {
                text = text.stripLeading();
                if (text.isEmpty()) {
                    return;
                }
                answerSpanStart = false;
            }
            content.append(text);
        } else {
            if (afterTag) {
                text = text.stripLeading(); // whitespace right after a tag is layout, not content
                if (text.isEmpty()) {
                    return;
                }
                afterTag = false;
            }
            content.append(text);
        }
    }
}

package org.pathoreason.data;

import org.pathoreason.text.ChatMessage;
import org.pathoreason.text.PromptStyle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a {@link Sample} into the chat messages put to the model: an optional system prompt (by
 * {@link PromptStyle}), then a user turn with the sample's images followed by the question and, for
 * multiple-choice questions, one {@code "A. option"} line per option.
 */
public final class PromptBuilder {

    /** Used when a caption sample has no question. */
    public static final String DEFAULT_CAPTION_QUESTION = "Describe this pathology image.";

    private final PromptStyle style;

    public PromptBuilder(PromptStyle style) {
        this.style = Objects.requireNonNull(style, "style");
    }

    public PromptStyle style() {
        return style;
    }

    /**
     * The user turn's text: question, option lines, then the style's instruction, e.g.
     * {@code "Which cell...?\nA. Neutrophil\nB. Plasma cell"}.
     */
    public String userText(Sample sample) {
        StringBuilder sb = new StringBuilder();
        String question = sample.question().strip();
        if (question.isEmpty() && Task.CAPTION.equals(sample.task())) {
            question = DEFAULT_CAPTION_QUESTION;
        }
        sb.append(question);
        List<String> options = sample.options();
        if (options.size() > 26) {
            throw new IllegalArgumentException("sample " + sample.id() + ": " + options.size()
                    + " options, at most 26 (A-Z) are supported");
        }
        for (int i = 0; i < options.size(); i++) {
            sb.append('\n').append(Sample.letter(i)).append(". ").append(options.get(i).strip());
        }
        if (style.instruction() != null) {
            sb.append(options.isEmpty() ? " " : "\n").append(style.instruction());
        }
        return sb.toString();
    }

    /** System turn (when the style has one) and the user turn with one image part per sample image. */
    public List<ChatMessage> messages(Sample sample) {
        List<ChatMessage> messages = new ArrayList<>(2);
        if (style.systemPrompt() != null) {
            messages.add(ChatMessage.system(style.systemPrompt()));
        }
        messages.add(ChatMessage.user(sample.images(), userText(sample)));
        return messages;
    }
}

package org.pathoreason.text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Renders conversations in Qwen2.5-VL's chat format:
 *
 * <pre>
 * &lt;|im_start|&gt;system\n...&lt;|im_end|&gt;\n
 * &lt;|im_start|&gt;user\n&lt;|vision_start|&gt;&lt;|image_pad|&gt;...&lt;|image_pad|&gt;&lt;|vision_end|&gt;question&lt;|im_end|&gt;\n
 * &lt;|im_start|&gt;assistant\n
 * </pre>
 *
 * As in the published template, a conversation whose first turn is not a system turn gets the default system
 * prompt "You are a helpful assistant."; text is inserted verbatim (no trimming); each image becomes one vision
 * run. Hugging Face renders one {@code <|image_pad|>} per image and its processor then repeats it once per merged
 * vision token ({@code t*h*w/4}); {@link #render} does both steps, {@link #renderUnexpanded} only the first.
 *
 * <p>This is not a Jinja engine: {@link #fromJinja} tells which Jinja {@code chat_template} strings it renders
 * exactly (Qwen2.5-VL's published template and those {@link #jinja} writes).
 */
public final class ChatTemplate {

    /** The default system prompt of Qwen2.5-VL's template. */
    public static final String QWEN_DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant.";

    /** Qwen2.5-VL's template: default system prompt, no "Picture N:" labels. */
    public static final ChatTemplate QWEN2_5_VL = new ChatTemplate(QWEN_DEFAULT_SYSTEM_PROMPT, false);

    /**
     * SHA-256 of Qwen2.5-VL's published {@code chat_template} (the {@code tokenizer_config.json} of
     * Qwen/Qwen2.5-VL-7B-Instruct; Qwen2-VL's is the same string), which renders what {@link #QWEN2_5_VL} renders.
     * A digest rather than the text, as only recognising it is needed.
     */
    static final String QWEN2_5_VL_PUBLISHED_SHA256 = "a0bc6f6fc7a29a80017a433e8f03a1cc1236e838a944a2d034295a60c4f2fddb";

    private static final String SYSTEM_LITERAL_START = "{{- '<|im_start|>system\\n";
    private static final String SYSTEM_LITERAL_END = "<|im_end|>\\n' -}}";

    private static final String VISION_RUN_UNEXPANDED =
            SpecialTokens.VISION_START + SpecialTokens.IMAGE_PAD + SpecialTokens.VISION_END;

    private final String defaultSystemPrompt;
    private final boolean addVisionId;

    /**
     * @param defaultSystemPrompt system prompt used when the first turn is not a system turn; null for none
     * @param addVisionId label images "Picture 1: ", "Picture 2: " (the template's {@code add_vision_id})
     */
    public ChatTemplate(String defaultSystemPrompt, boolean addVisionId) {
        this.defaultSystemPrompt = defaultSystemPrompt;
        this.addVisionId = addVisionId;
    }

    public String defaultSystemPrompt() {
        return defaultSystemPrompt;
    }

    public boolean addVisionId() {
        return addVisionId;
    }

    /**
     * Renders a conversation with each image's vision run expanded to its number of {@code <|image_pad|>}
     * tokens.
     *
     * @param imageTokenCounts merged vision tokens per image, in order of appearance ({@code t*h*w/4} from the
     *     image processor's grid); one entry per image part in the conversation
     * @param addGenerationPrompt end with {@code <|im_start|>assistant\n} so the model writes the answer
     * @throws IllegalArgumentException when the counts do not match the images or a count is not positive
     */
    public String render(List<ChatMessage> messages, List<Integer> imageTokenCounts, boolean addGenerationPrompt) {
        Objects.requireNonNull(imageTokenCounts, "imageTokenCounts");
        int images = imageCount(messages);
        if (images != imageTokenCounts.size()) {
            throw new IllegalArgumentException("the conversation has " + images + " image(s) but "
                    + imageTokenCounts.size() + " image token count(s) were given");
        }
        return renderInternal(messages, imageTokenCounts, addGenerationPrompt);
    }

    /**
     * Renders as Hugging Face's {@code apply_chat_template} does: one {@code <|image_pad|>} per image, to be
     * expanded later (see {@link #expandImagePads}).
     */
    public String renderUnexpanded(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return renderInternal(messages, null, addGenerationPrompt);
    }

    /**
     * Renders a training example: the prompt (ending with the generation prompt) and the assistant's turn
     * ({@code assistantText<|im_end|>\n}), so a trainer knows which tokens to put the loss on.
     * {@code prompt() + completion()} equals the full conversation rendered without a generation prompt.
     */
    public TrainingText renderForTraining(List<ChatMessage> promptMessages, List<Integer> imageTokenCounts,
            String assistantText) {
        Objects.requireNonNull(assistantText, "assistantText");
        String prompt = render(promptMessages, imageTokenCounts, true);
        return new TrainingText(prompt, assistantText + SpecialTokens.IM_END + "\n");
    }

    /** A rendered training example: the prompt and the assistant turn that follows it. */
    public record TrainingText(String prompt, String completion) {
        /** The whole conversation text. */
        public String full() {
            return prompt + completion;
        }

        /** Character offset where the assistant turn starts in {@link #full()}. */
        public int completionStart() {
            return prompt.length();
        }
    }

    /**
     * Replaces the i-th {@code <|image_pad|>} by {@code imageTokenCounts[i]} of them, as Qwen2.5-VL's processor
     * does with the text of {@link #renderUnexpanded}.
     */
    public static String expandImagePads(String text, List<Integer> imageTokenCounts) {
        StringBuilder sb = new StringBuilder(text.length() + 64);
        int from = 0;
        int image = 0;
        int at;
        while ((at = text.indexOf(SpecialTokens.IMAGE_PAD, from)) >= 0) {
            if (image >= imageTokenCounts.size()) {
                throw new IllegalArgumentException("the text has more " + SpecialTokens.IMAGE_PAD
                        + " than the " + imageTokenCounts.size() + " image token count(s) given");
            }
            sb.append(text, from, at);
            appendPads(sb, checkedCount(imageTokenCounts, image));
            image++;
            from = at + SpecialTokens.IMAGE_PAD.length();
        }
        if (image != imageTokenCounts.size()) {
            throw new IllegalArgumentException("the text has " + image + " " + SpecialTokens.IMAGE_PAD + " but "
                    + imageTokenCounts.size() + " image token count(s) were given");
        }
        return sb.append(text, from, text.length()).toString();
    }

    private String renderInternal(List<ChatMessage> messages, List<Integer> counts, boolean addGenerationPrompt) {
        Objects.requireNonNull(messages, "messages");
        StringBuilder sb = new StringBuilder();
        int image = 0;
        for (int m = 0; m < messages.size(); m++) {
            ChatMessage msg = messages.get(m);
            if (m == 0 && !ChatMessage.SYSTEM.equals(msg.role()) && defaultSystemPrompt != null) {
                turnStart(sb, ChatMessage.SYSTEM).append(defaultSystemPrompt).append(SpecialTokens.IM_END)
                        .append('\n');
            }
            turnStart(sb, msg.role());
            for (ChatMessage.Part part : msg.parts()) {
                if (part instanceof ChatMessage.Text t) {
                    sb.append(t.text());
                } else {
                    if (addVisionId) {
                        sb.append("Picture ").append(image + 1).append(": ");
                    }
                    if (counts == null) {
                        sb.append(VISION_RUN_UNEXPANDED);
                    } else {
                        sb.append(SpecialTokens.VISION_START);
                        appendPads(sb, checkedCount(counts, image));
                        sb.append(SpecialTokens.VISION_END);
                    }
                    image++;
                }
            }
            sb.append(SpecialTokens.IM_END).append('\n');
        }
        if (addGenerationPrompt) {
            turnStart(sb, ChatMessage.ASSISTANT);
        }
        return sb.toString();
    }

    private static StringBuilder turnStart(StringBuilder sb, String role) {
        return sb.append(SpecialTokens.IM_START).append(role).append('\n');
    }

    private static int checkedCount(List<Integer> counts, int image) {
        Integer n = counts.get(image);
        if (n == null || n <= 0) {
            throw new IllegalArgumentException("image " + (image + 1) + ": image token count must be positive, got "
                    + n);
        }
        return n;
    }

    private static void appendPads(StringBuilder sb, int n) {
        for (int i = 0; i < n; i++) {
            sb.append(SpecialTokens.IMAGE_PAD);
        }
    }

    private static int imageCount(List<ChatMessage> messages) {
        int n = 0;
        for (ChatMessage m : messages) {
            n += m.imageCount();
        }
        return n;
    }

    /**
     * This template as a Jinja string for {@code tokenizer_config.json}'s {@code chat_template}, rendering what
     * {@link #renderUnexpanded} renders (Hugging Face expands the image pads in its processor). Written for
     * PathoReason; it produces the same text as Qwen2.5-VL's published template, video parts included.
     */
    public String jinja() {
        StringBuilder j = new StringBuilder();
        j.append("{%- set counter = namespace(images=0, videos=0) -%}");
        j.append("{%- for message in messages -%}");
        if (defaultSystemPrompt != null) {
            j.append("{%- if loop.first and message['role'] != 'system' -%}");
            j.append("{{- '<|im_start|>system\\n").append(jinjaLiteral(defaultSystemPrompt))
                    .append("<|im_end|>\\n' -}}");
            j.append("{%- endif -%}");
        }
        j.append("{{- '<|im_start|>' + message['role'] + '\\n' -}}");
        j.append("{%- if message['content'] is string -%}");
        j.append("{{- message['content'] -}}");
        j.append("{%- else -%}");
        j.append("{%- for part in message['content'] -%}");
        j.append("{%- if part['type'] == 'image' or 'image' in part or 'image_url' in part -%}");
        j.append("{%- set counter.images = counter.images + 1 -%}");
        j.append("{%- if add_vision_id -%}{{- 'Picture ' + counter.images|string + ': ' -}}{%- endif -%}");
        j.append("{{- '<|vision_start|><|image_pad|><|vision_end|>' -}}");
        j.append("{%- elif part['type'] == 'video' or 'video' in part -%}");
        j.append("{%- set counter.videos = counter.videos + 1 -%}");
        j.append("{%- if add_vision_id -%}{{- 'Video ' + counter.videos|string + ': ' -}}{%- endif -%}");
        j.append("{{- '<|vision_start|><|video_pad|><|vision_end|>' -}}");
        j.append("{%- elif 'text' in part -%}");
        j.append("{{- part['text'] -}}");
        j.append("{%- endif -%}");
        j.append("{%- endfor -%}");
        j.append("{%- endif -%}");
        j.append("{{- '<|im_end|>\\n' -}}");
        j.append("{%- endfor -%}");
        j.append("{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}");
        return j.toString();
    }

    /**
     * The template a Jinja {@code chat_template} (from a checkpoint's {@code tokenizer_config.json}) stands for, when
     * this class renders it exactly: Qwen2.5-VL's published template, recognised by its digest, gives
     * {@link #QWEN2_5_VL}; a template written by {@link #jinja} gives a template with the same default system prompt
     * (or none). Leading and trailing whitespace is ignored. Empty for any other template.
     */
    public static Optional<ChatTemplate> fromJinja(String jinja) {
        String t = Objects.requireNonNull(jinja, "jinja").strip();
        if (QWEN2_5_VL_PUBLISHED_SHA256.equals(sha256(t))) {
            return Optional.of(QWEN2_5_VL);
        }
        ChatTemplate none = new ChatTemplate(null, false);
        if (t.equals(none.jinja())) {
            return Optional.of(none);
        }
        // the default system prompt is the one variable part of what jinja() writes: try each candidate literal
        int start = t.indexOf(SYSTEM_LITERAL_START);
        if (start < 0) {
            return Optional.empty();
        }
        int from = start + SYSTEM_LITERAL_START.length();
        for (int end = t.indexOf(SYSTEM_LITERAL_END, from); end >= 0; end = t.indexOf(SYSTEM_LITERAL_END, end + 1)) {
            String prompt = fromJinjaLiteral(t.substring(from, end));
            ChatTemplate candidate = prompt.equals(QWEN_DEFAULT_SYSTEM_PROMPT) ? QWEN2_5_VL
                    : new ChatTemplate(prompt, false);
            if (t.equals(candidate.jinja())) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /** Undoes {@link #jinjaLiteral}. */
    private static String fromJinjaLiteral(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                sb.append(next == 'n' ? '\n' : next);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String jinjaLiteral(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n");
    }
}

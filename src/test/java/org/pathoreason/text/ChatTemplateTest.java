package org.pathoreason.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.util.Json;

class ChatTemplateTest {

    private static final String IMG = "<|vision_start|><|image_pad|><|vision_end|>";

    /**
     * Conversations rendered by Qwen2.5-VL's published chat template with jinja2 (as transformers'
     * apply_chat_template does); see the file's "source".
     */
    @Test
    void matchesQwen25VlPublishedTemplate() throws Exception {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/text/qwen25vl-chat-template-vectors.json")) {
            cases = Json.MAPPER.readTree(in).get("cases");
        }
        assertThat(cases.size()).isGreaterThanOrEqualTo(10);
        for (JsonNode c : cases) {
            List<ChatMessage> messages = new ArrayList<>();
            for (JsonNode m : c.get("messages")) {
                messages.add(toMessage(m));
            }
            ChatTemplate template = new ChatTemplate(ChatTemplate.QWEN_DEFAULT_SYSTEM_PROMPT,
                    c.get("add_vision_id").asBoolean());
            String got = template.renderUnexpanded(messages, c.get("add_generation_prompt").asBoolean());
            assertThat(got).as(c.get("name").asText()).isEqualTo(c.get("expected").asText());
        }
    }

    private static ChatMessage toMessage(JsonNode m) {
        JsonNode content = m.get("content");
        if (content.isTextual()) {
            return new ChatMessage(m.get("role").asText(), List.of(new ChatMessage.Text(content.asText())));
        }
        List<ChatMessage.Part> parts = new ArrayList<>();
        for (JsonNode p : content) {
            parts.add("image".equals(p.get("type").asText()) ? new ChatMessage.Image(p.path("image").asText())
                    : new ChatMessage.Text(p.get("text").asText()));
        }
        return new ChatMessage(m.get("role").asText(), parts);
    }

    @Test
    void expandsEachImageToItsTokenCount() {
        List<ChatMessage> chat = List.of(ChatMessage.system("S"),
                new ChatMessage("user", List.of(new ChatMessage.Image("a.png"), new ChatMessage.Text("x"),
                        new ChatMessage.Image("b.png"), new ChatMessage.Text("y"))));
        String pads2 = "<|image_pad|>".repeat(2);
        String pads3 = "<|image_pad|>".repeat(3);
        String expected = "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\n<|vision_start|>" + pads2
                + "<|vision_end|>x<|vision_start|>" + pads3 + "<|vision_end|>y<|im_end|>\n<|im_start|>assistant\n";
        assertThat(ChatTemplate.QWEN2_5_VL.render(chat, List.of(2, 3), true)).isEqualTo(expected);
        // Same as Hugging Face's two steps: template, then the processor's expansion.
        assertThat(ChatTemplate.expandImagePads(ChatTemplate.QWEN2_5_VL.renderUnexpanded(chat, true), List.of(2, 3)))
                .isEqualTo(expected);
    }

    @Test
    void defaultSystemPromptUnlessOneIsGiven() {
        String plain = ChatTemplate.QWEN2_5_VL.render(List.of(ChatMessage.user("hi")), List.of(), false);
        assertThat(plain).isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nhi<|im_end|>\n");
        ChatTemplate none = new ChatTemplate(null, false);
        assertThat(none.render(List.of(ChatMessage.user("hi")), List.of(), true))
                .isEqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(ChatTemplate.QWEN2_5_VL.render(
                List.of(ChatMessage.system(SystemPrompts.PATHO_R1_COT), ChatMessage.user("q")), List.of(), true))
                .startsWith("<|im_start|>system\nYou are a pathology expert").doesNotContain("helpful");
    }

    @Test
    void labelsPicturesWhenAsked() {
        ChatTemplate ids = new ChatTemplate(null, true);
        String s = ids.render(List.of(ChatMessage.user(List.of("a", "b"), "Compare.")), List.of(1, 1), false);
        assertThat(s).isEqualTo("<|im_start|>user\nPicture 1: " + IMG + "Picture 2: " + IMG + "Compare.<|im_end|>\n");
    }

    @Test
    void trainingTextSplitsPromptFromAssistantTurn() {
        List<ChatMessage> prompt = List.of(ChatMessage.system("S"), ChatMessage.user(List.of("t.png"), "Q?"));
        String answer = "<think>r</think><answer>B</answer>";
        ChatTemplate.TrainingText t = ChatTemplate.QWEN2_5_VL.renderForTraining(prompt, List.of(5), answer);
        assertThat(t.prompt()).endsWith("Q?<|im_end|>\n<|im_start|>assistant\n");
        assertThat(t.completion()).isEqualTo(answer + "<|im_end|>\n");
        List<ChatMessage> whole = new ArrayList<>(prompt);
        whole.add(ChatMessage.assistant(answer));
        assertThat(t.full()).isEqualTo(ChatTemplate.QWEN2_5_VL.render(whole, List.of(5), false));
        assertThat(t.full().substring(t.completionStart())).isEqualTo(t.completion());
    }

    @Test
    void rejectsCountsThatDoNotMatchTheImages() {
        List<ChatMessage> chat = List.of(ChatMessage.user(List.of("a", "b"), "q"));
        assertThatThrownBy(() -> ChatTemplate.QWEN2_5_VL.render(chat, List.of(4), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 image(s) but 1");
        assertThatThrownBy(() -> ChatTemplate.QWEN2_5_VL.render(chat, List.of(4, 0), true))
                .hasMessageContaining("image 2").hasMessageContaining("positive");
        assertThatThrownBy(() -> ChatTemplate.expandImagePads("<|image_pad|>", List.of()))
                .hasMessageContaining("more <|image_pad|>");
        assertThatThrownBy(() -> ChatTemplate.expandImagePads("no image", List.of(3)))
                .hasMessageContaining("has 0 <|image_pad|> but 1");
        assertThatThrownBy(() -> new ChatMessage("User Role", List.of())).hasMessageContaining("User Role");
    }

    @Test
    void messageHelpers() {
        ChatMessage m = ChatMessage.user(List.of("a", "b"), "text");
        assertThat(m.imageCount()).isEqualTo(2);
        assertThat(m.text()).isEqualTo("text");
        assertThat(m.parts().get(0)).isEqualTo(new ChatMessage.Image("a"));
    }

    @Test
    void jinjaTemplateIsWrittenForTheSameFormat() {
        String j = ChatTemplate.QWEN2_5_VL.jinja();
        assertThat(j).contains("You are a helpful assistant.").contains("<|vision_start|><|image_pad|><|vision_end|>")
                .contains("add_generation_prompt").contains("add_vision_id");
        assertThat(new ChatTemplate(null, false).jinja()).doesNotContain("helpful").doesNotContain("loop.first");
        assertThat(new ChatTemplate("It's a\nprompt", false).jinja()).contains("It\\'s a\\nprompt");
    }
}

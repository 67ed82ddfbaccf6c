package org.pathoreason.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateFromJinjaTest {

    private static final List<ChatMessage> NO_SYSTEM_TURN = List.of(ChatMessage.user(List.of("a.png"), "Q?"));

    @Test
    void recognisesTheTemplateItWritesForQwen25Vl() {
        assertThat(ChatTemplate.fromJinja(ChatTemplate.QWEN2_5_VL.jinja())).containsSame(ChatTemplate.QWEN2_5_VL);
        // as read back from a file that ends with a newline
        assertThat(ChatTemplate.fromJinja("\n" + ChatTemplate.QWEN2_5_VL.jinja() + "\n"))
                .containsSame(ChatTemplate.QWEN2_5_VL);
    }

    @Test
    void recognisesItsOwnTemplatesWithAnotherDefaultSystemPromptOrNone() {
        String prompt = "You are a pathologist.\nSay 'I don't know' \\ when unsure; <|im_end|>\\n' -}} is text.";
        ChatTemplate custom = new ChatTemplate(prompt, false);
        ChatTemplate found = ChatTemplate.fromJinja(custom.jinja()).orElseThrow();
        assertThat(found.defaultSystemPrompt()).isEqualTo(prompt);
        assertThat(found.renderUnexpanded(NO_SYSTEM_TURN, true)).isEqualTo(custom.renderUnexpanded(NO_SYSTEM_TURN,
                true)).startsWith("<|im_start|>system\nYou are a pathologist.\nSay 'I don't know'");

        ChatTemplate none = ChatTemplate.fromJinja(new ChatTemplate(null, false).jinja()).orElseThrow();
        assertThat(none.defaultSystemPrompt()).isNull();
        assertThat(none.renderUnexpanded(NO_SYSTEM_TURN, false)).startsWith("<|im_start|>user\n");
    }

    @Test
    void refusesTemplatesItCannotRenderExactly() {
        assertThat(ChatTemplate.fromJinja("{% for m in messages %}{{ m.content }}{% endfor %}")).isEmpty();
        assertThat(ChatTemplate.fromJinja("")).isEmpty();
        // one of ours with a change elsewhere than the system prompt
        String changed = ChatTemplate.QWEN2_5_VL.jinja().replace("<|im_start|>assistant", "<|im_start|>model");
        assertThat(ChatTemplate.fromJinja(changed)).isEmpty();
        String noGenerationPrompt = new ChatTemplate("S", false).jinja().replace(
                "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}", "");
        assertThat(ChatTemplate.fromJinja(noGenerationPrompt)).isEmpty();
    }
}

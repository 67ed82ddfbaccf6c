package org.pathoreason.data;

import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.SystemPrompts;

import org.pathoreason.text.ChatMessage;
import org.pathoreason.text.PromptStyle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {

    private static Sample mcq() {
        return new Sample("s1", List.of("images/1.png"),
                "What feature indicates chronic inflammation? ",
                List.of("Granuloma formation", " Plasma cells with eccentric nuclei"), "B", "Plasma cells",
                null, null, List.of(), Task.MCQ, "diagnosis", Map.of());
    }

    @Test
    void mcqGetsLetteredOptionLines() {
        String text = new PromptBuilder(PromptStyle.COT).userText(mcq());
        assertThat(text).isEqualTo("What feature indicates chronic inflammation?\nA. Granuloma formation\n"
                + "B. Plasma cells with eccentric nuclei");
    }

    @Test
    void patho_r1_cotRendersWithItsSystemPromptAndTheImage() {
        List<ChatMessage> messages = new PromptBuilder(PromptStyle.COT).messages(mcq());
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).text()).isEqualTo(SystemPrompts.PATHO_R1_COT);
        assertThat(messages.get(1).parts().get(0)).isEqualTo(new ChatMessage.Image("images/1.png"));
        String prompt = ChatTemplate.QWEN2_5_VL.render(messages, List.of(3), true);
        assertThat(prompt).isEqualTo("<|im_start|>system\n" + SystemPrompts.PATHO_R1_COT + "<|im_end|>\n"
                + "<|im_start|>user\n<|vision_start|>" + "<|image_pad|>".repeat(3) + "<|vision_end|>"
                + "What feature indicates chronic inflammation?\nA. Granuloma formation\n"
                + "B. Plasma cells with eccentric nuclei<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void thinkAnswerStyleAppendsTheInstructionAndKeepsTheDefaultSystemPrompt() {
        PromptBuilder b = new PromptBuilder(PromptStyle.THINK_ANSWER);
        assertThat(b.userText(mcq())).endsWith("eccentric nuclei\n" + SystemPrompts.THINK_ANSWER_INSTRUCTION);
        Sample open = new Sample("o", List.of(), "Which organ?", List.of(), "lung", null, null, null, null,
                Task.OPEN, null, null);
        assertThat(b.userText(open)).isEqualTo("Which organ? " + SystemPrompts.THINK_ANSWER_INSTRUCTION);
        List<ChatMessage> messages = b.messages(open);
        assertThat(messages).hasSize(1);
        assertThat(ChatTemplate.QWEN2_5_VL.render(messages, List.of(), true))
                .startsWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>");
    }

    @Test
    void promptsSayWhatTheyMustSay() {
        assertThat(SystemPrompts.PATHO_R1_COD).contains("5 words at most")
                .contains("<think> Your step-by-step reasoning </think><answer> Your final answer </answer>");
        assertThat(SystemPrompts.PATHREASONER_OBSERVE).contains("<observe>", "</observe>", "<think>", "<answer>");
        assertThat(PromptStyle.OBSERVE_THINK_ANSWER.systemPrompt()).isEqualTo(SystemPrompts.PATHREASONER_OBSERVE);
    }

    @Test
    void captionWithoutQuestionGetsADefaultInstruction() {
        Sample cap = new Sample("c", List.of("x.png"), "", List.of(), "Glands.", null, null, "Glands.", null,
                Task.CAPTION, null, null);
        assertThat(new PromptBuilder(PromptStyle.PLAIN).userText(cap)).isEqualTo(PromptBuilder.DEFAULT_CAPTION_QUESTION);
    }

    @Test
    void parsesStyleNames() {
        assertThat(PromptStyle.parse("think-answer")).isEqualTo(PromptStyle.THINK_ANSWER);
        assertThat(PromptStyle.parse(" CoD ")).isEqualTo(PromptStyle.COD);
        assertThatThrownBy(() -> PromptStyle.parse("r1")).hasMessageContaining("'r1'").hasMessageContaining("cot");
    }
}

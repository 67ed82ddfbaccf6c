package org.pathoreason.train.sft;

import org.pathoreason.data.Task;

import org.pathoreason.train.TrajectoryMasking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.data.PromptBuilder;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.ReasoningTags;
import org.pathoreason.text.SpecialTokens;
import org.pathoreason.text.Tokenizer;

class ExampleBuilderTest {

    private static final Path IMG = Path.of("/data/img.png");

    private static ExampleBuilder builder(Stage stage, PromptStyle style, TargetFormat target, AnswerStyle answer,
            TrajectoryMasking masking, int maxLength) {
        return new ExampleBuilder(SftFixtures.tokenizer(), ChatTemplate.QWEN2_5_VL,
                new ExampleBuilder.Settings(stage, style, target, answer, masking, maxLength));
    }

    private static ExampleBuilder sft(TargetFormat target, TrajectoryMasking masking) {
        return builder(Stage.SFT, PromptStyle.COT, target, AnswerStyle.LETTER, masking, 4096);
    }

    @Test
    void lossCoversExactlyTheAssistantTurnAndItsImEnd() {
        Tokenizer tok = SftFixtures.tokenizer();
        Sample s = SftFixtures.mcq(0, 1, "img.png");
        ExampleBuilder b = sft(TargetFormat.THINK_ANSWER, TrajectoryMasking.defaults());
        TrainingExample e = b.build(s, List.of(IMG), List.of(4)).example();

        String target = "<think>plasma cells point to chronic inflammation.</think><answer>B</answer>";
        assertThat(b.targetText(s)).isEqualTo(target);
        // every token before the assistant turn is prompt, every token of the turn up to <|im_end|> is a target,
        // and the template's newline after <|im_end|> is not
        int n = e.length();
        for (int i = 0; i < n; i++) {
            assertThat(e.targets()[i]).as("token %d", i).isEqualTo(i >= e.promptLength() && i < n - 1);
        }
        assertThat(tok.decode(e.targetIds(), false)).isEqualTo(target + SpecialTokens.IM_END);
        assertThat(e.ids()[n - 2]).isEqualTo(tok.imEndId());
        assertThat(tok.decode(new long[] {e.ids()[n - 1]}, false)).isEqualTo("\n");

        // the prompt is the chat template's rendering with the image's pad run, ending in the assistant header
        String prompt = ChatTemplate.QWEN2_5_VL.render(new PromptBuilder(PromptStyle.COT).messages(s), List.of(4),
                true);
        assertThat(tok.decode(Arrays.copyOf(e.ids(), e.promptLength()), false)).isEqualTo(prompt);
        assertThat(prompt).endsWith("<|im_start|>assistant\n").contains("\nB. Chronic inflammation\n");
        assertThat(Arrays.stream(e.ids()).filter(id -> id == tok.imagePadId()).count()).isEqualTo(4);
        // with the reasoning tags as single tokens, the split encoding is the encoding of the whole conversation
        assertThat(e.ids()).isEqualTo(tok.encode(prompt + target + SpecialTokens.IM_END + "\n"));
        assertThat(e.images()).containsExactly(IMG);
        assertThat(e.truncated()).isFalse();
    }

    @Test
    void targetsFollowTheConfiguredFormatAndAnswerStyle() {
        Sample s = SftFixtures.mcq(0, 3, "img.png");
        assertThat(sft(TargetFormat.OBSERVE_THINK_ANSWER, TrajectoryMasking.defaults()).targetText(s))
                .isEqualTo("<observe>The tissue shows keratin pearls.</observe>"
                        + "<think>keratin pearls point to squamous cell carcinoma.</think><answer>D</answer>");
        assertThat(builder(Stage.SFT, PromptStyle.COT, TargetFormat.THINK_ANSWER, AnswerStyle.LETTER_TEXT,
                TrajectoryMasking.defaults(), 4096).targetText(s))
                .endsWith("<answer>D. Squamous cell carcinoma</answer>");
        assertThat(sft(TargetFormat.ANSWER, TrajectoryMasking.defaults()).targetText(s))
                .isEqualTo("<answer>D</answer>");
        assertThat(builder(Stage.SFT, PromptStyle.COT, TargetFormat.ANSWER, AnswerStyle.TEXT,
                TrajectoryMasking.defaults(), 4096).targetText(s)).isEqualTo("<answer>Squamous cell carcinoma</answer>");
        // what the strict extractor and format check read back
        ReasoningTags.Parsed parsed = ReasoningTags.parse(
                sft(TargetFormat.OBSERVE_THINK_ANSWER, TrajectoryMasking.defaults()).targetText(s));
        assertThat(parsed.wellFormedWithObserve()).isTrue();
        assertThat(parsed.answer()).isEqualTo("D");

        Sample open = new Sample("o", List.of(), "Is there necrosis?", List.of(), "yes", "yes",
                new Sample.Reasoning(null, "No necrotic debris is seen... wait, it is."), null, List.of(),
                Task.YESNO, null, Map.of());
        assertThat(sft(TargetFormat.THINK_ANSWER, TrajectoryMasking.defaults()).targetText(open))
                .isEqualTo("<think>No necrotic debris is seen... wait, it is.</think><answer>yes</answer>");
    }

    @Test
    void samplesLackingWhatTheTargetNeedsAreProblems() {
        Sample noReasoning = new Sample("n", List.of(), "Q?", SftFixtures.DIAGNOSES, "A", null, null, null,
                List.of(), Task.MCQ, null, Map.of());
        assertThatThrownBy(() -> sft(TargetFormat.THINK_ANSWER, TrajectoryMasking.defaults()).targetText(noReasoning))
                .isInstanceOf(SampleProblem.class).hasMessageContaining("no reasoning.think");
        // answer-only data (the RL split) is SFT data only in the empty-think format, which the format check accepts
        String empty = builder(Stage.SFT, PromptStyle.COT, TargetFormat.EMPTY_THINK_ANSWER, AnswerStyle.TEXT,
                TrajectoryMasking.defaults(), 4096).targetText(noReasoning);
        assertThat(empty).isEqualTo("<think></think><answer>" + SftFixtures.DIAGNOSES.get(0) + "</answer>");
        assertThat(ReasoningTags.parse(empty).answer()).isEqualTo(SftFixtures.DIAGNOSES.get(0));
        assertThat(org.pathoreason.reward.FormatReward.r1().matches(empty)).isTrue();
        assertThat(TargetFormat.parse("empty-think-answer")).isEqualTo(TargetFormat.EMPTY_THINK_ANSWER);
        Sample noObserve = new Sample("m", List.of(), "Q?", SftFixtures.DIAGNOSES, "A", null,
                new Sample.Reasoning(null, "t"), null, List.of(), Task.MCQ, null, Map.of());
        assertThatThrownBy(() -> sft(TargetFormat.OBSERVE_THINK_ANSWER, TrajectoryMasking.defaults())
                .targetText(noObserve)).hasMessageContaining("no reasoning.observe");
        Sample badLetter = new Sample("x", List.of(), "Q?", SftFixtures.DIAGNOSES, "F", null,
                new Sample.Reasoning(null, "t"), null, List.of(), Task.MCQ, null, Map.of());
        assertThatThrownBy(() -> sft(TargetFormat.THINK_ANSWER, TrajectoryMasking.defaults()).targetText(badLetter))
                .isInstanceOf(SampleProblem.class).hasMessageContaining("answer 'F' is not an option letter A-D");
        Sample noCaption = new Sample("c", List.of(), "", List.of(), null, null, null, null, List.of(), Task.CAPTION,
                null, Map.of());
        assertThatThrownBy(() -> builder(Stage.PRETRAIN, PromptStyle.PLAIN, TargetFormat.THINK_ANSWER,
                AnswerStyle.LETTER, TrajectoryMasking.defaults(), 4096).targetText(noCaption))
                .hasMessageContaining("no caption");
    }

    @Test
    void pretrainingAsksForADescriptionAndLearnsTheCaption() {
        Tokenizer tok = SftFixtures.tokenizer();
        Sample s = SftFixtures.mcq(0, 0, "img.png");
        ExampleBuilder b = builder(Stage.PRETRAIN, PromptStyle.PLAIN, TargetFormat.THINK_ANSWER, AnswerStyle.LETTER,
                TrajectoryMasking.defaults(), 4096);
        TrainingExample e = b.build(s, List.of(IMG), List.of(4)).example();
        String prompt = tok.decode(Arrays.copyOf(e.ids(), e.promptLength()), false);
        assertThat(prompt).contains(PromptBuilder.DEFAULT_CAPTION_QUESTION)
                .doesNotContain("Which diagnosis").doesNotContain("A. Acute");
        assertThat(tok.decode(e.targetIds(), false))
                .isEqualTo("The tissue shows neutrophils consistent with acute inflammation." + SpecialTokens.IM_END);
    }

    @Test
    void maskedTagContentCarriesNoLossButTheTagsDo() {
        Tokenizer tok = SftFixtures.tokenizer();
        Sample s = SftFixtures.mcq(0, 2, "img.png");
        TrajectoryMasking masking = new TrajectoryMasking(TrajectoryMasking.Guidance.REMOVE,
                TrajectoryMasking.DEFAULT_GUIDANCE_PATTERN, List.of(ReasoningTags.Tag.OBSERVE));
        ExampleBuilder b = sft(TargetFormat.OBSERVE_THINK_ANSWER, masking);
        TrainingExample e = b.build(s, List.of(IMG), List.of(4)).example();
        TrainingExample unmasked = sft(TargetFormat.OBSERVE_THINK_ANSWER, TrajectoryMasking.defaults())
                .build(s, List.of(IMG), List.of(4)).example();
        assertThat(e.ids()).isEqualTo(unmasked.ids());
        assertThat(tok.decode(e.targetIds(), false)).isEqualTo("<observe></observe><think>epithelioid histiocytes "
                + "point to granulomatous inflammation.</think><answer>C</answer>" + SpecialTokens.IM_END);
        int observeTokens = tok.encode("The tissue shows epithelioid histiocytes.").length;
        assertThat(unmasked.targetCount() - e.targetCount()).isEqualTo(observeTokens);
    }

    @Test
    void overlongExamplesAreCutInTheAnswerOrRefusedWhenThePromptAloneIsTooLong() {
        Sample s = SftFixtures.mcq(0, 1, "img.png");
        TrainingExample full = sft(TargetFormat.THINK_ANSWER, TrajectoryMasking.defaults())
                .build(s, List.of(IMG), List.of(4)).example();
        int max = full.promptLength() + 3;
        TrainingExample cut = builder(Stage.SFT, PromptStyle.COT, TargetFormat.THINK_ANSWER, AnswerStyle.LETTER,
                TrajectoryMasking.defaults(), max).build(s, List.of(IMG), List.of(4)).example();
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.length()).isEqualTo(max);
        assertThat(cut.targetCount()).isEqualTo(3);
        assertThat(cut.ids()).isEqualTo(Arrays.copyOf(full.ids(), max));

        assertThatThrownBy(() -> builder(Stage.SFT, PromptStyle.COT, TargetFormat.THINK_ANSWER, AnswerStyle.LETTER,
                TrajectoryMasking.defaults(), full.promptLength()).build(s, List.of(IMG), List.of(4)))
                .isInstanceOfSatisfying(SampleProblem.class, p -> assertThat(p.kind())
                        .isEqualTo(SampleProblem.Kind.TOO_LONG))
                .hasMessageContaining("4 of them image tokens");
    }
}

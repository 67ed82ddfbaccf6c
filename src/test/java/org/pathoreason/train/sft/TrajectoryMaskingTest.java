package org.pathoreason.train.sft;

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
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.ReasoningTags;
import org.pathoreason.text.Tokenizer;

class TrajectoryMaskingTest {

    private static final String PATH_1 = "plasma cell -[is finding of]-> chronic inflammation";
    private static final String PATH_2 = "lymphocyte -[is finding of]-> chronic inflammation";

    private static Sample withQuestion(String question, Object guidance) {
        Sample base = SftFixtures.mcq(0, 1, "img.png");
        return new Sample(base.id(), base.images(), question, base.options(), base.answer(), base.answerText(),
                base.reasoning(), base.caption(), base.entities(), base.task(), base.subset(),
                guidance == null ? Map.of() : Map.of(TrajectoryMasking.GUIDANCE_META_KEY, guidance));
    }

    @Test
    void guidanceBlocksAndMetaGuidanceAreRemovedFromTheQuestion() {
        TrajectoryMasking m = TrajectoryMasking.defaults();
        String block = TrajectoryMasking.renderGuidance(List.of(PATH_1, PATH_2));
        assertThat(block).isEqualTo("<guidance>\n" + PATH_1 + "\n" + PATH_2 + "\n</guidance>");

        TrajectoryMasking.Question q = m.question(withQuestion("Which diagnosis fits?\n\n" + block + "\n\nAnswer "
                + "from the image.", null));
        assertThat(q.text()).isEqualTo("Which diagnosis fits?\n\nAnswer from the image.");
        assertThat(q.guidanceRemoved()).isEqualTo(1);

        // meta.guidance written into the question in free form, as a list or a single string
        q = m.question(withQuestion("Known: " + PATH_1 + " Which diagnosis fits? " + PATH_2, List.of(PATH_1, PATH_2)));
        assertThat(q.text()).isEqualTo("Known: Which diagnosis fits?");
        assertThat(q.guidanceRemoved()).isEqualTo(2);
        q = m.question(withQuestion(PATH_1 + "\nWhich diagnosis fits?", PATH_1));
        assertThat(q.text()).isEqualTo("Which diagnosis fits?");

        // nothing to remove: the question is untouched
        q = m.question(withQuestion("Which diagnosis fits?", List.of(PATH_1)));
        assertThat(q.text()).isEqualTo("Which diagnosis fits?");
        assertThat(q.guidanceRemoved()).isZero();
    }

    @Test
    void keepingGuidanceRestoresThePromptTheTeacherSaw() {
        TrajectoryMasking keep = new TrajectoryMasking(TrajectoryMasking.Guidance.KEEP,
                TrajectoryMasking.DEFAULT_GUIDANCE_PATTERN, List.of());
        TrajectoryMasking.Question q = keep.question(withQuestion("Which diagnosis fits?", List.of(PATH_1)));
        assertThat(q.text()).isEqualTo("Which diagnosis fits?\n\n<guidance>\n" + PATH_1 + "\n</guidance>");
        assertThat(q.guidanceAdded()).isEqualTo(1);
        String already = "Which diagnosis fits? <guidance>\n" + PATH_1 + "\n</guidance>";
        assertThat(keep.question(withQuestion(already, List.of(PATH_1))).text()).isEqualTo(already);
    }

    @Test
    void trainingExamplesNeverSeeTheGuidance() {
        Tokenizer tok = SftFixtures.tokenizer();
        ExampleBuilder.Settings settings = new ExampleBuilder.Settings(Stage.SFT, PromptStyle.COT,
                TargetFormat.THINK_ANSWER, AnswerStyle.LETTER, TrajectoryMasking.defaults(), 4096);
        ExampleBuilder b = new ExampleBuilder(tok, ChatTemplate.QWEN2_5_VL, settings);
        String question = "Which diagnosis fits this tissue?";
        Sample guided = withQuestion(question + "\n" + TrajectoryMasking.renderGuidance(List.of(PATH_1)),
                List.of(PATH_1));
        Sample plain = withQuestion(question, null);
        ExampleBuilder.Built built = b.build(guided, List.of(Path.of("/i.png")), List.of(4));
        TrainingExample reference = b.build(plain, List.of(Path.of("/i.png")), List.of(4)).example();
        assertThat(built.guidanceRemoved()).isEqualTo(1);
        assertThat(built.example().ids()).isEqualTo(reference.ids());
        assertThat(built.example().targets()).isEqualTo(reference.targets());
        String prompt = tok.decode(Arrays.copyOf(built.example().ids(), built.example().promptLength()), false);
        assertThat(prompt).contains(question).doesNotContain("plasma cell -[").doesNotContain("guidance");
    }

    @Test
    void lossSpansSplitAtMaskedTagContent() {
        TrajectoryMasking m = new TrajectoryMasking(TrajectoryMasking.Guidance.REMOVE, "",
                TrajectoryMasking.parseTags(List.of("observe", "<think>")));
        String text = "<observe>cells</observe><think>so</think><answer>B</answer>";
        assertThat(m.lossSpans(text)).containsExactly(
                new TrajectoryMasking.Span("<observe>", true),
                new TrajectoryMasking.Span("cells", false),
                new TrajectoryMasking.Span("</observe><think>", true),
                new TrajectoryMasking.Span("so", false),
                new TrajectoryMasking.Span("</think><answer>B</answer>", true));
        assertThat(TrajectoryMasking.defaults().lossSpans(text))
                .containsExactly(new TrajectoryMasking.Span(text, true));
        // an unclosed masked tag masks nothing
        assertThat(m.lossSpans("<observe>cells")).containsExactly(new TrajectoryMasking.Span("<observe>cells", true));
        assertThat(m.maskedTags()).containsExactlyInAnyOrder(ReasoningTags.Tag.OBSERVE, ReasoningTags.Tag.THINK);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> TrajectoryMasking.parseTags(List.of("findings")))
                .hasMessageContaining("unknown tag 'findings'");
        assertThatThrownBy(() -> new TrajectoryMasking(TrajectoryMasking.Guidance.REMOVE, "(", List.of()))
                .hasMessageContaining("guidance_pattern");
        assertThatThrownBy(() -> TrajectoryMasking.guidanceOf(withQuestion("q", Map.of("a", 1))))
                .hasMessageContaining("meta.guidance must be a string or a list of strings");
    }
}

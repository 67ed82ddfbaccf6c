package org.pathoreason.train.sft;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;

class OptionShufflerTest {

    private static final List<String> OPTIONS = List.of("Caseating granulomatous inflammation", "Abscess",
            "Coagulative necrosis", "Non-necrotising granulomatous inflammation");

    private static Sample sample(String think) {
        return new Sample("q", List.of("i.png"), "What is the most likely diagnosis?", OPTIONS, "A",
                OPTIONS.get(0), new Sample.Reasoning("Granulomas with caseous necrosis.", think), null, List.of(),
                Task.MCQ, "diagnosis", Map.of());
    }

    private static final String THINK = "Caseous necrosis is present. B. Abscess is less likely. C. Coagulative "
            + "necrosis is less likely. D. Non-necrotising granulomatous inflammation is less likely: caseous "
            + "necrosis is present. Therefore the answer is A. Caseating granulomatous inflammation.";

    @Test
    void optionsAnswerAndReasoningMoveTogether() {
        Set<String> orders = new HashSet<>();
        for (long seed = 0; seed < 30; seed++) {
            Sample s = OptionShuffler.shuffle(sample(THINK), new SplittableRandom(seed));
            assertThat(s.options()).containsExactlyInAnyOrderElementsOf(OPTIONS);
            orders.add(s.options().toString());
            int answer = Sample.letterIndex(s.answer());
            assertThat(s.options().get(answer)).isEqualTo("Caseating granulomatous inflammation");
            assertThat(s.answerText()).isEqualTo(OPTIONS.get(0));
            // every "L. text" in the reasoning names the option that now has letter L
            for (int i = 0; i < 4; i++) {
                String text = s.options().get(i);
                assertThat(s.reasoning().think()).contains(Sample.letter(i) + ". " + text);
            }
            assertThat(s.reasoning().think()).endsWith("the answer is " + s.answer() + ". " + OPTIONS.get(0) + ".");
            assertThat(s.reasoning().observe()).isEqualTo("Granulomas with caseous necrosis.");
            // the same draw gives the same order
            assertThat(OptionShuffler.shuffle(sample(THINK), new SplittableRandom(seed))).isEqualTo(s);
        }
        assertThat(orders).hasSizeGreaterThan(10);
    }

    @Test
    void reasoningWithBareLetterReferencesIsLeftAlone() {
        Sample bare = sample("Options B and C lack granulomas, so the answer is A.");
        assertThat(OptionShuffler.shuffle(bare, new SplittableRandom(1))).isSameAs(bare);
        Sample open = new Sample("o", List.of(), "Q?", List.of(), "x", "x", null, null, List.of(), Task.OPEN, null,
                Map.of());
        assertThat(OptionShuffler.shuffle(open, new SplittableRandom(1))).isSameAs(open);
    }
}

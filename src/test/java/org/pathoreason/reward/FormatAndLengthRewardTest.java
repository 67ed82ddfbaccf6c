package org.pathoreason.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FormatAndLengthRewardTest {

    private static double format(FormatReward r, String text) {
        return r.score(RewardInput.of(TestSamples.mcq(), text)).value();
    }

    @Test
    void r1FormatIsAFullMatchWithDotAll() {
        FormatReward r = FormatReward.r1();
        assertThat(format(r, "<think>a\nb</think><answer>B</answer>")).isEqualTo(1);
        assertThat(format(r, "<think>a</think>\n\n<answer>B</answer>")).isEqualTo(1);
        assertThat(format(r, "<think></think><answer></answer>")).isEqualTo(1);
        // re.fullmatch: nothing around, not even white space.
        assertThat(format(r, " <think>a</think><answer>B</answer>")).isZero();
        assertThat(format(r, "<think>a</think><answer>B</answer>\n")).isZero();
        assertThat(format(r, "Sure. <think>a</think><answer>B</answer>")).isZero();
        assertThat(format(r, "<think>a</think>text<answer>B</answer>")).isZero();
        assertThat(format(r, "<answer>B</answer>")).isZero();
        // The lazy groups still extend to make a full match, as in Python.
        assertThat(format(r, "<think>a</think><answer>B</answer> and </answer>")).isEqualTo(1);
    }

    @Test
    void pathReasonerFormatNeedsObserveFirstAndCanSearchAnywhere() {
        String good = "<observe>sheets of plasma cells</observe>\n<think>so chronic</think>\n<answer>B</answer>";
        assertThat(format(FormatReward.pathReasoner(), good)).isEqualTo(1);
        assertThat(format(FormatReward.pathReasoner(), "<think>x</think><answer>B</answer>")).isZero();
        assertThat(format(FormatReward.r1(), good)).isZero();
        FormatReward search = new FormatReward(FormatReward.Style.OBSERVE_THINK_ANSWER, FormatReward.Match.ANYWHERE);
        assertThat(format(search, "Report:\n" + good + "\nEnd.")).isEqualTo(1);
        assertThat(format(FormatReward.pathReasoner(), "Report:\n" + good)).isZero();
    }

    @Test
    void lengthRewardShapesOverlongCompletionsAndPenalisesRepetition() {
        LengthReward r = new LengthReward(20, 1.0, 3, 1.0);
        RewardResult ok = r.score(new RewardInput(TestSamples.mcq(), "one two three four", 70, 100));
        assertThat(ok.value()).isZero();
        RewardResult inBuffer = r.score(new RewardInput(TestSamples.mcq(), "one two three four", 90, 100));
        assertThat(inBuffer.part("overlong")).isEqualTo(-0.5);
        RewardResult cut = r.score(new RewardInput(TestSamples.mcq(), "a b c", 100, 100));
        assertThat(cut.part("overlong")).isEqualTo(-1.0);
        // "a b a b a b": 3-grams (a b a), (b a b), (a b a), (b a b): 2 distinct of 4 -> 1 - 2/4.
        assertThat(LengthReward.repetitionRate("A b a B a b", 3)).isEqualTo(0.5);
        RewardResult rep = r.score(new RewardInput(TestSamples.mcq(), "A b a B a b", 10, 100));
        assertThat(rep.part("repetition")).isEqualTo(-0.5);
        assertThat(rep.value()).isCloseTo(-0.5, within(1e-12));
        assertThat(LengthReward.repetitionRate("too short", 3)).isZero();
        assertThat(LengthReward.repetitionRate("", 3)).isZero();
        // No limit known: no overlong term.
        assertThat(LengthReward.overlong(20, 1).score(RewardInput.of(TestSamples.mcq(), "x")).value()).isZero();
    }

    @Test
    void weightedRewardSumsAndReportsEveryPart() {
        WeightedReward w = WeightedReward.builder().add(FormatReward.r1(), 0.5)
                .add(new LengthReward(20, 1.0, 3, 1.0), 2.0).build();
        RewardResult r = w.score(new RewardInput(TestSamples.mcq(), "<think>a</think><answer>B</answer>", 90, 100));
        assertThat(r.value()).isCloseTo(0.5 * 1 + 2.0 * -0.5, within(1e-12));
        assertThat(r.parts()).containsEntry("format", 1.0).containsEntry("length", -0.5)
                .containsEntry("length/overlong", -0.5).containsEntry("length/repetition", 0.0);
        assertThat(r.parts().keySet()).doesNotContain("format/format");
    }
}

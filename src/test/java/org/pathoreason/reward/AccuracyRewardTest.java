package org.pathoreason.reward;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.text.extract.ExtractionMode;

class AccuracyRewardTest {

    private static double acc(AccuracyReward r, Sample s, String completion) {
        return r.score(RewardInput.of(s, completion)).value();
    }

    @Test
    void strictMcqFollowsPathVlmR1() {
        AccuracyReward r = AccuracyReward.strict();
        Sample s = TestSamples.mcq();
        assertThat(acc(r, s, "<think>x</think><answer>B</answer>")).isEqualTo(1);
        assertThat(acc(r, s, "<think>x</think><answer>B. Chronic inflammation</answer>")).isEqualTo(1);
        assertThat(acc(r, s, "<think>x</think><answer>(B)</answer>")).isEqualTo(1);
        assertThat(acc(r, s, "<think>x</think><answer>A</answer>")).isZero();
        // Exactly one letter; the text must be that option's.
        assertThat(acc(r, s, "<think>x</think><answer>B or C</answer>")).isZero();
        assertThat(acc(r, s, "<think>x</think><answer>B. Acute inflammation</answer>")).isZero();
        // Untagged or text-only answers do not count under the strict rule.
        assertThat(acc(r, s, "The answer is B")).isZero();
        assertThat(acc(r, s, "<answer>Chronic inflammation</answer>")).isZero();
        RewardResult miss = r.score(RewardInput.of(s, "no idea"));
        assertThat(miss.part("answer_found")).isZero();
    }

    @Test
    void lenientMcqReadsChattyAndTextAnswers() {
        AccuracyReward r = AccuracyReward.lenient();
        Sample s = TestSamples.mcq();
        assertThat(acc(r, s, "<answer>Chronic inflammation</answer>")).isEqualTo(1);
        assertThat(acc(r, s, "<think>x</think>The answer is **B**.")).isEqualTo(1);
        assertThat(acc(r, s, "<answer>Acute inflammation</answer>")).isZero();
    }

    @Test
    void goldMayBeGivenAsOptionText() {
        Sample s = new Sample("t", List.of(), "q", List.of("cat", "dog"), "dog", "dog", null, null, List.of(),
                Task.MCQ, null, Map.of());
        assertThat(acc(AccuracyReward.strict(), s, "<answer>B</answer>")).isEqualTo(1);
        Sample bad = new Sample("t9", List.of(), "q", List.of("cat", "dog"), "E", null, null, null, List.of(),
                Task.MCQ, null, Map.of());
        assertThatThrownBy(() -> acc(AccuracyReward.strict(), bad, "<answer>B</answer>"))
                .hasMessageContaining("t9").hasMessageContaining("'E'");
    }

    @Test
    void yesNoStrictAndLenient() {
        Sample yes = TestSamples.yesNo("Yes.");
        assertThat(acc(AccuracyReward.strict(), yes, "<think>x</think><answer>yes</answer>")).isEqualTo(1);
        assertThat(acc(AccuracyReward.strict(), yes, "<think>x</think><answer>Yes, clearly</answer>")).isZero();
        assertThat(acc(AccuracyReward.lenient(), yes, "<think>x</think><answer>Yes, clearly</answer>")).isEqualTo(1);
        assertThat(acc(AccuracyReward.strict(), TestSamples.yesNo("no"), "<answer>yes</answer>")).isZero();
    }

    @Test
    void openAnswersAreGradedByTokenF1OrRougeL() {
        Sample s = TestSamples.open("chronic inflammation with plasma cells");
        AccuracyReward f1 = AccuracyReward.strict();
        // prediction tokens: chronic inflammation (2), gold 5 tokens: P = 1, R = 2/5 -> F1 = 4/7.
        assertThat(acc(f1, s, "<think>x</think><answer>Chronic inflammation.</answer>")).isCloseTo(4.0 / 7,
                within(1e-12));
        assertThat(acc(f1, s, "<think>x</think>chronic inflammation")).isZero(); // strict: no <answer>, no score
        AccuracyReward rouge = new AccuracyReward(ExtractionMode.LENIENT, AccuracyReward.OpenMetric.ROUGE_L);
        double r = acc(rouge, s, "<answer>Chronic inflammation.</answer>");
        // LCS 2; P = 2/2, R = 2/5; F(beta 1.2) = (1 + 1.44) * 1 * 0.4 / (0.4 + 1.44 * 1).
        assertThat(r).isCloseTo(2.44 * 0.4 / (0.4 + 1.44), within(1e-12));
        assertThat(acc(rouge, s, "<answer>chronic inflammation with plasma cells</answer>")).isEqualTo(1.0);
    }

    @Test
    void refusesTheRandomPathMmuReading() {
        assertThatThrownBy(() -> new AccuracyReward(ExtractionMode.PATHMMU, AccuracyReward.OpenMetric.TOKEN_F1))
                .hasMessageContaining("STRICT or LENIENT");
    }
}

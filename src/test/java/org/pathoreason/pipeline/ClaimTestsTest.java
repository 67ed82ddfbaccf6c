package org.pathoreason.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.eval.QuestionOutcome;
import org.pathoreason.eval.stats.PairedTests;

/** Claims tested on per-question files written by hand: counts, means, intervals and verdicts worked out here. */
class ClaimTestsTest {

    @TempDir
    Path dir;

    /**
     * Writes one stage's files: {@code right[i]} is question i's verdict (null: unreadable 4-option answer), tokens
     * and entity per question.
     */
    private void stage(Path seedDir, String stage, Boolean[] right, int[] tokens, double[] entity) {
        List<QuestionOutcome> q = new ArrayList<>();
        List<QuestionRewards> r = new ArrayList<>();
        for (int i = 0; i < right.length; i++) {
            boolean answered = right[i] != null;
            q.add(new QuestionOutcome("q" + i, "diagnosis", answered ? right[i] : Boolean.FALSE, answered, 0.25,
                    tokens[i]));
            r.add(new QuestionRewards("q" + i, 1, entity[i], 0.5));
        }
        // an open question: no accuracy credit, but tokens and entity
        q.add(new QuestionOutcome("open", "describe", null, true, null, 10));
        r.add(new QuestionRewards("open", 1, 0.5, 0.5));
        Path eval = seedDir.resolve(stage).resolve(StageEvaluator.EVAL);
        QuestionOutcome.write(eval.resolve(QuestionOutcome.FILE), q);
        QuestionRewards.write(eval.resolve(QuestionRewards.FILE), r);
    }

    private static Boolean[] verdicts(String pattern) {
        Boolean[] out = new Boolean[pattern.length()];
        for (int i = 0; i < out.length; i++) {
            char c = pattern.charAt(i);
            out[i] = c == '1' ? Boolean.TRUE : c == '0' ? Boolean.FALSE : null;
        }
        return out;
    }

    private static int[] fill(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static double[] fill(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    @Test
    void oneSeedPairsQuestionsCountsDiscordantPairsAndFallsBackToTheBootstrap() {
        Path s0 = dir.resolve("seed-0");
        // 20 questions: baseline right on 0-9; stage right on 0-7 and 10-19 except 18, 19 unreadable
        stage(s0, "sft", verdicts("11111111110000000000"), fill(20, 80), fill(20, 0.3));
        stage(s0, "grpo", verdicts("111111110011111111xx"), fill(20, 60), fill(20, 0.4));
        Claim acc = new Claim("grpo > sft", "test", List.of(Claim.Part.higher(Claim.Measure.ACCURACY, "grpo", "sft")));
        ClaimTests.ClaimResult r = ClaimTests.test(List.of(acc), Map.of(0L, s0)).get(0);
        ClaimTests.PartResult p = r.parts().get(0);
        ClaimTests.SeedResult s = p.seeds().get(0);
        assertThat(s.n()).isEqualTo(20); // the open question has no accuracy
        assertThat(s.baselineMean()).isCloseTo(10 / 20.0, within(1e-12));
        // 16 right + 2 unreadable at 1/4
        assertThat(s.stageMean()).isCloseTo((16 + 0.5) / 20, within(1e-12));
        assertThat(s.onlyBaseline()).isEqualTo(2); // questions 8, 9
        assertThat(s.onlyStage()).isEqualTo(8); // 10-17; unreadable answers are never right
        assertThat(s.mcnemarP()).isCloseTo(PairedTests.mcnemarExact(2, 8), within(1e-15));
        assertThat(s.difference().estimate()).isCloseTo(6.5 / 20, within(1e-12));
        assertThat(p.interval()).isEqualTo(ClaimTests.BOOTSTRAP_ONE_SEED);
        assertThat(p.difference()).isEqualTo(s.difference());
        assertThat(p.verdict()).isEqualTo(p.difference().low() > 0 ? Claim.Verdict.HOLDS : Claim.Verdict.UNDECIDED);
        assertThat(ClaimTests.table(List.of(r))).contains("grpo - sft accuracy > 0", "McNemar 2/8", "seed 0");
    }

    @Test
    void overSeedsTheIntervalIsTheTIntervalOfTheSeedsDifferences() {
        Map<Long, Path> seeds = new LinkedHashMap<>();
        double[] entityUp = {0.05, 0.10, 0.15};
        for (int k = 0; k < 3; k++) {
            Path d = dir.resolve("seed-" + k);
            seeds.put((long) k, d);
            stage(d, "grpo", verdicts("1111100000"), fill(10, 50), fill(10, 0.3));
            // the same accuracy, 5 fewer tokens, entity up by 0.05, 0.10, 0.15 (11 items with the open one)
            double[] e = fill(10, 0.3 + entityUp[k] * 11 / 10);
            stage(d, "grpo_process", verdicts("1111100000"), fill(10, 45), e);
        }
        Claim tokens = new Claim("shorter", "t", List.of(Claim.Part.lower(Claim.Measure.OUTPUT_TOKENS, "grpo_process",
                "grpo")));
        Claim entity = new Claim("entity", "t", List.of(Claim.Part.higher(Claim.Measure.ENTITY, "grpo_process",
                "grpo"), Claim.Part.notLower(Claim.Measure.ACCURACY, "grpo_process", "grpo", 0.02)));
        List<ClaimTests.ClaimResult> rs = ClaimTests.test(List.of(tokens, entity), seeds);

        ClaimTests.PartResult t = rs.get(0).parts().get(0);
        assertThat(t.seeds()).allSatisfy(s -> assertThat(s.n()).isEqualTo(11)); // open question included
        // tokens: 10 questions 5 fewer, the open one equal -> -50/11 on every seed; no spread
        assertThat(t.difference().estimate()).isCloseTo(-50.0 / 11, within(1e-9));
        assertThat(t.difference().high()).isCloseTo(-50.0 / 11, within(1e-9));
        assertThat(t.verdict()).isEqualTo(Claim.Verdict.HOLDS);
        assertThat(t.seeds().get(0).mcnemarP()).isNull();

        ClaimTests.PartResult e = rs.get(1).parts().get(0);
        assertThat(e.interval()).isEqualTo(ClaimTests.T_OVER_SEEDS);
        double[] diffs = e.seeds().stream().mapToDouble(s -> s.difference().estimate()).toArray();
        assertThat(diffs[0]).isCloseTo(0.05, within(1e-9));
        assertThat(diffs[2]).isCloseTo(0.15, within(1e-9));
        // t(0.975, 2) = 4.302653; sd of {0.05, 0.10, 0.15} = 0.05; se = 0.05 / sqrt(3)
        assertThat(e.difference().low()).isCloseTo(0.10 - 4.302653 * 0.05 / Math.sqrt(3), within(1e-6));
        assertThat(e.verdict()).isEqualTo(Claim.Verdict.UNDECIDED); // low is about -0.024
        ClaimTests.PartResult same = rs.get(1).parts().get(1);
        assertThat(same.difference()).isEqualTo(new PairedTests.Interval(0, 0, 0));
        assertThat(same.verdict()).isEqualTo(Claim.Verdict.HOLDS); // 0 > -0.02
        assertThat(rs.get(1).verdict()).isEqualTo(Claim.Verdict.UNDECIDED);
    }

    @Test
    void verdictsFollowTheIntervalAndTheDirection() {
        Claim.Part up = Claim.Part.higher(Claim.Measure.ACCURACY, "b", "a");
        assertThat(up.verdict(0.01, 0.05)).isEqualTo(Claim.Verdict.HOLDS);
        assertThat(up.verdict(-0.01, 0.05)).isEqualTo(Claim.Verdict.UNDECIDED);
        assertThat(up.verdict(-0.05, -0.01)).isEqualTo(Claim.Verdict.DOES_NOT_HOLD);
        Claim.Part down = Claim.Part.lower(Claim.Measure.OUTPUT_TOKENS, "b", "a");
        assertThat(down.verdict(-5, -1)).isEqualTo(Claim.Verdict.HOLDS);
        assertThat(down.verdict(1, 5)).isEqualTo(Claim.Verdict.DOES_NOT_HOLD);
        Claim.Part ni = Claim.Part.notLower(Claim.Measure.ACCURACY, "b", "a", 0.02);
        assertThat(ni.verdict(-0.015, 0.03)).isEqualTo(Claim.Verdict.HOLDS);
        assertThat(ni.verdict(-0.03, 0.01)).isEqualTo(Claim.Verdict.UNDECIDED);
        assertThat(ni.verdict(-0.06, -0.025)).isEqualTo(Claim.Verdict.DOES_NOT_HOLD);
        assertThat(ni.describe()).isEqualTo("b - a accuracy > -0.02");
        assertThat(Claim.combine(List.of(Claim.Verdict.HOLDS, Claim.Verdict.UNDECIDED)))
                .isEqualTo(Claim.Verdict.UNDECIDED);
        assertThat(Claim.combine(List.of(Claim.Verdict.HOLDS, Claim.Verdict.DOES_NOT_HOLD)))
                .isEqualTo(Claim.Verdict.DOES_NOT_HOLD);
        assertThat(Claim.combine(List.of(Claim.Verdict.HOLDS, Claim.Verdict.HOLDS))).isEqualTo(Claim.Verdict.HOLDS);
        assertThatThrownBy(() -> new Claim.Part(Claim.Measure.ACCURACY, "b", "a", Claim.Direction.HIGHER, 0.1))
                .hasMessageContaining("margin");
    }

    @Test
    void stagesScoredOnOtherQuestionsOrWithoutFilesAreClearErrors() {
        Path s0 = dir.resolve("seed-0");
        stage(s0, "sft", verdicts("1100"), fill(4, 1), fill(4, 0.1));
        stage(s0, "grpo", verdicts("110"), fill(3, 1), fill(3, 0.1));
        Claim c = new Claim("x", "t", List.of(Claim.Part.higher(Claim.Measure.ACCURACY, "grpo", "sft")));
        assertThatThrownBy(() -> ClaimTests.test(List.of(c), Map.of(0L, s0))).isInstanceOf(DataException.class)
                .hasMessageContaining("not scored on the same test questions");
        Claim missing = new Claim("y", "t", List.of(Claim.Part.higher(Claim.Measure.ENTITY, "final", "sft")));
        assertThatThrownBy(() -> ClaimTests.test(List.of(missing), Map.of(0L, s0)))
                .hasMessageContaining("stage final has no").hasMessageContaining("rewards.jsonl");
    }
}

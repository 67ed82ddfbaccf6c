package org.pathoreason.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.reward.judge.KnowledgeGraphRubricJudge;

class RewardPresetsTest {

    private static final String GOOD = "<observe>Sheets of plasma cells and lymphocytes.</observe>\n"
            + "<think>Plasma cells indicate chronic inflammation.</think>\n<answer>B</answer>";

    @Test
    void pathReasonerMixesFormatAccuracyAndHalfTheEntityReward() {
        var sample = TestSamples.withEntities(TestSamples.mcq(), List.of("plasma cell", "lymphocyte"));
        RewardResult r = RewardPresets.pathReasoner(TestGraph.graph(), AccuracyReward.strict())
                .score(RewardInput.of(sample, GOOD));
        // entity: P = {plasma cell, lymphocyte, chronic inflammation}, G = 2 -> 2*2/5 = 0.8.
        assertThat(r.part("format")).isEqualTo(1);
        assertThat(r.part("accuracy")).isEqualTo(1);
        assertThat(r.part("entity")).isCloseTo(0.8, within(1e-8));
        assertThat(r.value()).isCloseTo(1 + 1 + 0.5 * 0.8, within(1e-8));
        assertThat(r.parts()).containsKeys("accuracy/answer_found", "entity/entity_hits");
    }

    @Test
    void otherPresetsScoreTheirParts() {
        var in = new RewardInput(TestSamples.mcq(), "<think>x</think><answer>B</answer>", 95, 100);
        assertThat(RewardPresets.r1(AccuracyReward.strict()).score(in).value()).isEqualTo(2.0);
        assertThat(RewardPresets.dapo(AccuracyReward.strict(), 20).score(in).value()).isCloseTo(1 - 0.75,
                within(1e-12));
        RewardResult p = RewardPresets.pathVlmR1(new KnowledgeGraphRubricJudge(TestGraph.graph()))
                .score(RewardInput.of(TestSamples.mcq(), GOOD));
        assertThat(p.parts()).containsKeys("accuracy", "process", "process/integrity", "process/knowledge");
    }
}

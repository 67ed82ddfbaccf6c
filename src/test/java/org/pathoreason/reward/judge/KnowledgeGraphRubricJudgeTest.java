package org.pathoreason.reward.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.Relation;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.TestGraph;
import org.pathoreason.reward.TestSamples;
import org.pathoreason.reward.judge.ProcessRubric.IntegrityItem;
import org.pathoreason.reward.judge.ProcessRubric.KnowledgeBreach;

class KnowledgeGraphRubricJudgeTest {

    private final KnowledgeGraphRubricJudge judge = new KnowledgeGraphRubricJudge(TestGraph.graph());

    private JudgeScore judge(String completion) {
        return judge.judge(RewardInput.of(TestSamples.mcq(), completion));
    }

    static final String IDEAL = "<observe>Sheets of plasma cells and lymphocytes; no neutrophils.</observe>"
            + "<think>Plasma cells indicate chronic inflammation. Acute inflammation is unlikely without neutrophils. "
            + "No giant cells or epithelioid histiocytes, so granulomatous inflammation is excluded. "
            + "No keratin pearls, which rules out squamous cell carcinoma.</think><answer>B</answer>";

    @Test
    void completeAndCorrectReasoningScoresFull() {
        JudgeScore s = judge(IDEAL);
        assertThat(s.missing()).as(s.note()).isEmpty();
        assertThat(s.breaches()).as(s.note()).isEmpty();
        assertThat(s.process()).isEqualTo(1.0);
        assertThat(s.source()).isEqualTo(JudgeScore.Source.JUDGED);
    }

    @Test
    void bareAssertionMissesEveryIntegrityElement() {
        JudgeScore s = judge("<think>It is chronic inflammation.</think><answer>B</answer>");
        assertThat(s.missing()).containsExactlyInAnyOrder(IntegrityItem.values());
        assertThat(s.integrity()).isZero();
        assertThat(s.knowledge()).isEqualTo(1.0);
        assertThat(s.note()).contains("options not ruled out: A, C, D");
    }

    @Test
    void partialEliminationIsMissingAndNamesTheOptionsLeft() {
        JudgeScore s = judge("<think>Plasma cells suggest chronic inflammation rather than acute inflammation."
                + "</think><answer>B</answer>");
        assertThat(s.missing()).containsExactly(IntegrityItem.OPTION_ELIMINATION);
        assertThat(s.note()).contains("options not ruled out: C, D");
        assertThat(s.integrity()).isEqualTo(0.6);
        assertThat(s.breaches()).isEmpty(); // "rather than acute" is not a claim about acute inflammation
    }

    @Test
    void aFindingLinkedToAnUnrelatedDiagnosisIsADefinitionBreach() {
        JudgeScore s = judge(IDEAL.replace("Plasma cells indicate chronic inflammation.",
                "Keratin pearls indicate chronic inflammation."));
        assertThat(s.breaches()).contains(KnowledgeBreach.HISTOLOGY_DEFINITION);
        assertThat(s.note()).contains("keratin pearl -> chronic inflammation");
        assertThat(s.knowledge()).isEqualTo(0.6);
    }

    @Test
    void aConclusionOtherThanTheAnswerIsAContradiction() {
        JudgeScore s = judge("<observe>Giant cells and epithelioid histiocytes.</observe><think>Giant cells suggest "
                + "granulomatous inflammation. No neutrophils, so not acute inflammation. No plasma cells, so not "
                + "chronic inflammation. No keratin pearls: not squamous cell carcinoma.</think><answer>B</answer>");
        assertThat(s.breaches()).containsExactly(KnowledgeBreach.LOGICAL_CONTRADICTION);
        assertThat(s.note()).contains("concludes granulomatous inflammation but answers chronic inflammation");
        // Answering the option the reasoning ruled out is a contradiction too.
        JudgeScore ruledOut = judge("<think>Plasma cells are absent, so chronic inflammation is excluded.</think>"
                + "<answer>B</answer>");
        assertThat(ruledOut.breaches()).contains(KnowledgeBreach.LOGICAL_CONTRADICTION);
    }

    @Test
    void relationsMarkedOutdatedAreAWrongStandard() {
        KnowledgeGraph g = KnowledgeGraph.builder()
                .addEntity("chronic_inflammation", "chronic inflammation", Entity.DIAGNOSIS)
                .addEntity("oedema", "oedema", Entity.FINDING)
                .addEntity("plasma_cell", "plasma cell", Entity.CELL_TYPE)
                .addRelation("oedema", Relation.SUGGESTS, "chronic_inflammation", Map.of("deprecated", "true"))
                .addRelation("plasma_cell", Relation.SUGGESTS, "chronic_inflammation")
                .build();
        KnowledgeGraphRubricJudge j = new KnowledgeGraphRubricJudge(g);
        Sample open = TestSamples.open("chronic inflammation");
        JudgeScore s = j.judge(RewardInput.of(open, "<think>Oedema indicates chronic inflammation.</think>"
                + "<answer>chronic inflammation</answer>"));
        assertThat(s.breaches()).containsExactly(KnowledgeBreach.OUTDATED_STANDARD);
        JudgeScore fine = j.judge(RewardInput.of(open, "<think>Plasma cells indicate chronic inflammation.</think>"
                + "<answer>chronic inflammation</answer>"));
        assertThat(fine.breaches()).isEmpty();
        // Not multiple choice: nothing to eliminate.
        assertThat(fine.missing()).isEmpty();
    }

    @Test
    void processRewardAveragesTheTwoCriteria() {
        ProcessReward r = new ProcessReward(judge);
        var res = r.scoreAll(List.of(RewardInput.of(TestSamples.mcq(), IDEAL),
                RewardInput.of(TestSamples.mcq(), "<think>It is chronic inflammation.</think><answer>B</answer>")));
        assertThat(res.get(0).value()).isEqualTo(1.0);
        assertThat(res.get(1).value()).isEqualTo(0.5);
        assertThat(res.get(1).parts()).containsEntry("integrity", 0.0).containsEntry("knowledge", 1.0)
                .containsEntry("judge_fallback", 0.0);
        // Garbage never throws.
        assertThat(r.score(RewardInput.of(TestSamples.mcq(), "<<<</think>\u0000")).value()).isBetween(0.0, 1.0);
    }
}

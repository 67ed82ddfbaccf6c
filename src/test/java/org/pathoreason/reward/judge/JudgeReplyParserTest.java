package org.pathoreason.reward.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pathoreason.reward.judge.ProcessRubric.IntegrityItem;
import org.pathoreason.reward.judge.ProcessRubric.KnowledgeBreach;

class JudgeReplyParserTest {

    static final String GOOD = "{\"integrity\": {\"image_features\": true, \"option_elimination\": false, "
            + "\"medical_knowledge\": true}, \"knowledge\": {\"histology_definition_breach\": false, "
            + "\"logical_contradiction\": true, \"outdated_or_wrong_standard\": false}, \"comment\": \"ok\"}";

    @Test
    void scoresTheNestedItemsByTheRubric() throws Exception {
        JudgeScore s = JudgeReplyParser.parseVerdict(GOOD);
        assertThat(s.missing()).containsExactly(IntegrityItem.OPTION_ELIMINATION);
        assertThat(s.breaches()).containsExactly(KnowledgeBreach.LOGICAL_CONTRADICTION);
        assertThat(s.integrity()).isEqualTo(0.6);
        assertThat(s.knowledge()).isEqualTo(0.6);
        assertThat(s.note()).isEqualTo("ok");
    }

    @Test
    void findsTheObjectInProseFencesAndSloppyJson() throws Exception {
        String chatty = "Sure! Here is my assessment {as requested}:\n```json\n" + GOOD + "\n```\nHope it helps.";
        assertThat(JudgeReplyParser.parseVerdict(chatty).integrity()).isEqualTo(0.6);
        String prose = "The reasoning {mostly} holds. " + GOOD + " That is all.";
        assertThat(JudgeReplyParser.parseVerdict(prose).knowledge()).isEqualTo(0.6);
        String sloppy = "{integrity: {image_features: 'yes', option_elimination: 'no', medical_knowledge: 1,},"
                + " knowledge: {histology_definition_breach: 'no', logical_contradiction: false, "
                + "outdated_or_wrong_standard: 0}, // fine\n}";
        JudgeScore s = JudgeReplyParser.parseVerdict(sloppy);
        assertThat(s.integrity()).isEqualTo(0.6);
        assertThat(s.knowledge()).isEqualTo(1.0);
    }

    @Test
    void acceptsFlatItemsAndBareScores() throws Exception {
        String flat = "{\"image_features\": true, \"option_elimination\": true, \"medical_knowledge\": false, "
                + "\"histology_definition_breach\": true, \"logical_contradiction\": true, "
                + "\"outdated_or_wrong_standard\": true}";
        JudgeScore s = JudgeReplyParser.parseVerdict(flat);
        assertThat(s.integrity()).isEqualTo(0.6);
        assertThat(s.knowledge()).isEqualTo(0.0);
        JudgeScore scores = JudgeReplyParser.parseVerdict("{\"integrity_score\": 0.8, \"knowledge_score\": 1.7}");
        assertThat(scores.integrity()).isEqualTo(0.8);
        assertThat(scores.knowledge()).isEqualTo(1.0);
    }

    @Test
    void rejectsBrokenOrIncompleteReplies() {
        assertThatThrownBy(() -> JudgeReplyParser.parseVerdict("{\"integrity\": {\"image_features\": tru"))
                .isInstanceOf(JudgeReplyParser.BadReply.class).hasMessageContaining("in reply");
        assertThatThrownBy(() -> JudgeReplyParser.parseVerdict("{\"integrity\": {\"image_features\": true}}"))
                .hasMessageContaining("lacks the rubric items");
        assertThatThrownBy(() -> JudgeReplyParser.parseVerdict("I cannot grade this."))
                .hasMessageContaining("no JSON object");
    }
}

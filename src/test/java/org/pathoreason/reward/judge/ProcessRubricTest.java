package org.pathoreason.reward.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pathoreason.reward.judge.ProcessRubric.IntegrityItem;
import org.pathoreason.reward.judge.ProcessRubric.KnowledgeBreach;

class ProcessRubricTest {

    @Test
    void takesPointFourOffPerItemWithAFloorAtZero() {
        assertThat(ProcessRubric.integrity(0)).isEqualTo(1.0);
        assertThat(ProcessRubric.integrity(1)).isEqualTo(0.6);
        assertThat(ProcessRubric.integrity(2)).isEqualTo(0.2);
        assertThat(ProcessRubric.integrity(3)).isEqualTo(0.0);
        assertThat(ProcessRubric.knowledge(3)).isEqualTo(0.0);
    }

    @Test
    void processIsTheMeanOfIntegrityAndKnowledge() {
        JudgeScore s = JudgeScore.of(EnumSet.of(IntegrityItem.OPTION_ELIMINATION),
                EnumSet.of(KnowledgeBreach.LOGICAL_CONTRADICTION, KnowledgeBreach.OUTDATED_STANDARD), "x");
        assertThat(s.integrity()).isEqualTo(0.6);
        assertThat(s.knowledge()).isEqualTo(0.2);
        assertThat(s.process()).isCloseTo(0.4, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(JudgeScore.of(Set.of(), Set.of(), "").process()).isEqualTo(1.0);
    }
}

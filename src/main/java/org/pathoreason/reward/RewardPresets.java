package org.pathoreason.reward;

import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.reward.judge.ProcessJudge;
import org.pathoreason.reward.judge.ProcessReward;

/**
 * The reward mixes of the systems PathoReason follows, as starting points for a trainer's configuration.
 */
public final class RewardPresets {

    private RewardPresets() {
    }

    /** R1-style (Patho-R1, R1-V, VLM-R1): format + accuracy, both weight 1. */
    public static WeightedReward r1(AccuracyReward accuracy) {
        return WeightedReward.builder().name("r1").add(FormatReward.r1(), 1).add(accuracy, 1).build();
    }

    /** PathVLM-R1's dual reward: outcome accuracy (strict rule) + process reward from a judge, both weight 1. */
    public static WeightedReward pathVlmR1(ProcessJudge judge) {
        return WeightedReward.builder().name("pathvlm-r1").add(AccuracyReward.strict(), 1)
                .add(new ProcessReward(judge), 1).build();
    }

    /**
     * PathReasoner-R1's multi-granular reward ({@code compute_multi_granular_rewards}: format + answer + α·entity,
     * α = 0.5), with the observe/think/answer format and this project's accuracy reward in place of its LLM
     * semantic judge of the answer.
     */
    public static WeightedReward pathReasoner(KnowledgeGraph graph, AccuracyReward accuracy) {
        return WeightedReward.builder().name("pathreasoner-r1").add(FormatReward.pathReasoner(), 1)
                .add(accuracy, 1).add(EntityReward.forGraph(graph), 0.5).build();
    }

    /** DAPO: accuracy + soft overlong punishment (buffer in tokens, penalty 1), both weight 1. */
    public static WeightedReward dapo(AccuracyReward accuracy, int overlongBuffer) {
        return WeightedReward.builder().name("dapo").add(accuracy, 1)
                .add(LengthReward.overlong(overlongBuffer, 1.0), 1).build();
    }
}

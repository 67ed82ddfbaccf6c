package org.pathoreason.reward.judge;

import java.util.ArrayList;
import java.util.List;
import org.pathoreason.reward.RewardInput;

/**
 * Scores the reasoning process of a completion under PathVLM-R1's {@link ProcessRubric} (Integrity and Knowledge).
 * Implementations never throw for a completion or a failing back end: they return a fallback verdict instead, so
 * a judge can never stop training.
 */
public interface ProcessJudge {

    /** Judges one completion. */
    JudgeScore judge(RewardInput input);

    /** Judges a batch; remote judges override this to work in parallel. Results are in input order. */
    default List<JudgeScore> judgeAll(List<RewardInput> inputs) {
        List<JudgeScore> out = new ArrayList<>(inputs.size());
        for (RewardInput in : inputs) {
            out.add(judge(in));
        }
        return out;
    }
}

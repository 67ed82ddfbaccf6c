package org.pathoreason.reward;

import java.util.ArrayList;
import java.util.List;

/**
 * A reward function for reinforcement learning on reasoning completions. Implementations are thread-safe and do
 * not throw on any completion text, however malformed: a completion the reward cannot read scores its minimum.
 */
public interface Reward {

    /** A short stable name used as the metric key (e.g. {@code format}, {@code accuracy}). */
    String name();

    /** Scores one completion. */
    RewardResult score(RewardInput input);

    /** Scores a batch; rewards that call remote services override this to work in parallel. */
    default List<RewardResult> scoreAll(List<RewardInput> inputs) {
        List<RewardResult> out = new ArrayList<>(inputs.size());
        for (RewardInput in : inputs) {
            out.add(score(in));
        }
        return out;
    }
}

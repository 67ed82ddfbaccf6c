package org.pathoreason.train.rl;

import java.util.List;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.model.Prompt;
import org.pathoreason.reward.RewardResult;

/**
 * The G completions sampled for one prompt and their rewards: the unit GRPO normalises advantages over and DAPO's
 * dynamic sampling keeps or drops.
 *
 * @param sample the sample the prompt was built from
 * @param prompt the encoded prompt
 * @param completions the sampled continuations, in sampling order
 * @param rewards one reward per completion, same order
 */
public record RolloutGroup(Sample sample, Prompt prompt, List<GenerationResult> completions,
                           List<RewardResult> rewards) {

    /** The name of the weighted total among the metrics a group can be filtered on. */
    public static final String TOTAL = "reward";

    public RolloutGroup {
        completions = List.copyOf(completions);
        rewards = List.copyOf(rewards);
        if (completions.isEmpty() || completions.size() != rewards.size()) {
            throw new IllegalArgumentException("sample " + sample.id() + ": a group needs one reward per completion, "
                    + "got " + completions.size() + " completions and " + rewards.size() + " rewards");
        }
    }

    public int size() {
        return completions.size();
    }

    /**
     * The scores of the group's completions under {@code metric}: the weighted total ({@value #TOTAL}) or one
     * named part of it (e.g. {@code accuracy}).
     *
     * @throws IllegalArgumentException when a reward lacks that part
     */
    public double[] scores(String metric) {
        double[] out = new double[rewards.size()];
        for (int i = 0; i < out.length; i++) {
            RewardResult r = rewards.get(i);
            out[i] = TOTAL.equals(metric) ? r.value() : r.part(metric);
            if (Double.isNaN(out[i])) {
                throw new IllegalArgumentException("reward of sample " + sample.id() + " has no part '" + metric
                        + "'; parts: " + r.parts().keySet());
            }
        }
        return out;
    }
}

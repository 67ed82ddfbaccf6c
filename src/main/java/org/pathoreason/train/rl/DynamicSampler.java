package org.pathoreason.train.rl;

import java.util.ArrayList;
import java.util.List;

/**
 * DAPO's dynamic sampling: a group whose completions all got the same score has zero advantage everywhere and
 * teaches nothing, so it is dropped, and rollout rounds continue until the step has {@code targetGroups} groups
 * with some variance, or until {@code maxRounds} rounds were generated. Each round asks for a full batch of
 * prompts, as verl's DAPO trainer does; groups beyond the target are cut off in order. Unlike verl, which stops
 * the run when the rounds run out, the step then trains on the groups it kept (possibly none) and says so in its
 * metrics.
 *
 * <p>Switched off, one round is generated and every group is kept; the share of groups with variance is still
 * reported.
 */
public final class DynamicSampler {

    /** Generates and scores the groups of one round (0-based). */
    @FunctionalInterface
    public interface RoundSource {
        List<RolloutGroup> next(int round);
    }

    /**
     * What the rounds gave.
     *
     * @param kept the groups to train on, at most the target
     * @param rounds rounds generated
     * @param groupsGenerated groups generated over all rounds
     * @param groupsWithVariance of those, groups whose scores were not all equal
     */
    public record Result(List<RolloutGroup> kept, int rounds, int groupsGenerated, int groupsWithVariance) {

        public Result {
            kept = List.copyOf(kept);
        }

        /** Share of generated groups that had reward variance (the share dynamic sampling keeps). */
        public double varianceShare() {
            return groupsGenerated == 0 ? 0 : (double) groupsWithVariance / groupsGenerated;
        }
    }

    private final boolean enabled;
    private final String metric;
    private final int targetGroups;
    private final int maxRounds;

    /**
     * @param enabled drop groups without variance and keep sampling (DAPO); false keeps everything
     * @param metric the score that must vary: {@link RolloutGroup#TOTAL} or a reward part's name
     * @param targetGroups groups per step (prompts per step)
     * @param maxRounds most rounds per step
     */
    public DynamicSampler(boolean enabled, String metric, int targetGroups, int maxRounds) {
        if (targetGroups < 1 || maxRounds < 1) {
            throw new IllegalArgumentException("need targetGroups >= 1 and maxRounds >= 1, got " + targetGroups
                    + " and " + maxRounds);
        }
        this.enabled = enabled;
        this.metric = metric;
        this.targetGroups = targetGroups;
        this.maxRounds = maxRounds;
    }

    /** Runs rounds from {@code source} until the batch is full or the rounds are spent. */
    public Result collect(RoundSource source) {
        List<RolloutGroup> kept = new ArrayList<>();
        int generated = 0;
        int withVariance = 0;
        int round = 0;
        while (round < (enabled ? maxRounds : 1)) {
            List<RolloutGroup> groups = source.next(round);
            round++;
            for (RolloutGroup g : groups) {
                generated++;
                boolean varies = hasVariance(g.scores(metric));
                withVariance += varies ? 1 : 0;
                if (!enabled || (varies && kept.size() < targetGroups)) {
                    kept.add(g);
                }
            }
            if (!enabled || kept.size() >= targetGroups) {
                break;
            }
        }
        return new Result(kept, round, generated, withVariance);
    }

    /**
     * Whether the scores are not all equal; a group of one is kept as verl keeps it (its advantage is its reward,
     * not zero).
     */
    public static boolean hasVariance(double[] scores) {
        if (scores.length <= 1) {
            return true;
        }
        for (double s : scores) {
            if (s != scores[0]) {
                return true;
            }
        }
        return false;
    }
}

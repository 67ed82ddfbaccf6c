package org.pathoreason.train.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.pathoreason.engine.Scalars;

/**
 * Group-relative advantages for outcome rewards (one scalar reward per completion), as GRPO computes them: within
 * each group of completions for the same prompt, {@code (r - mean) / (std + eps)} with the unbiased (N-1) standard
 * deviation, or only {@code r - mean} (Dr. GRPO).
 *
 * <p>verl ({@code compute_grpo_outcome_advantage}) uses eps 1e-6; TRL's GRPOTrainer 1e-4. A group of one completion
 * gets mean 0 and std 1 as in verl, so its advantage is its reward (scaled by 1/(1+eps)).
 */
public final class Advantages {

    /** verl's epsilon. */
    public static final double VERL_EPS = 1e-6;
    /** TRL's epsilon. */
    public static final double TRL_EPS = 1e-4;

    /**
     * How to normalise.
     *
     * @param eps added to the standard deviation
     * @param scaleByStd false for Dr. GRPO (centre only)
     */
    public record Options(double eps, boolean scaleByStd) {
        public Options {
            if (!(eps >= 0) || Double.isInfinite(eps)) {
                throw new IllegalArgumentException("eps must be a finite number >= 0, got " + eps);
            }
        }

        public static Options verl() {
            return new Options(VERL_EPS, true);
        }

        public static Options trl() {
            return new Options(TRL_EPS, true);
        }

        /** Dr. GRPO: no division by the standard deviation. */
        public static Options drGrpo() {
            return new Options(VERL_EPS, false);
        }
    }

    private Advantages() {
    }

    /** Advantages of one group. */
    public static double[] ofGroup(double[] rewards, Options options) {
        int n = rewards.length;
        double[] out = new double[n];
        if (n == 0) {
            return out;
        }
        double mean = 0;
        double std = 1;
        if (n > 1) {
            for (double r : rewards) {
                mean += r;
            }
            mean /= n;
            double ss = 0;
            for (double r : rewards) {
                ss += (r - mean) * (r - mean);
            }
            std = Math.sqrt(ss / (n - 1));
        }
        for (int i = 0; i < n; i++) {
            out[i] = options.scaleByStd() ? (rewards[i] - mean) / (std + options.eps()) : rewards[i] - mean;
        }
        return out;
    }

    /**
     * Advantages of a batch laid out as consecutive groups of {@code groupSize} completions (prompt 0's G
     * completions, then prompt 1's, ...), the layout a trainer gets from repeating each prompt G times.
     */
    public static double[] ofBatch(double[] rewards, int groupSize, Options options) {
        checkGroups(rewards.length, groupSize);
        double[] out = new double[rewards.length];
        for (int start = 0; start < rewards.length; start += groupSize) {
            double[] group = java.util.Arrays.copyOfRange(rewards, start, start + groupSize);
            System.arraycopy(ofGroup(group, options), 0, out, start, groupSize);
        }
        return out;
    }

    /**
     * NDArray version of {@link #ofBatch}: rewards [B] in consecutive groups of {@code groupSize} -> advantages [B].
     * Advantages are constants for the policy loss, so no gradient is kept.
     */
    public static NDArray ofBatch(NDArray rewards, int groupSize, Options options) {
        if (rewards.getShape().dimension() != 1) {
            throw new IllegalArgumentException("rewards must be [B], got " + rewards.getShape());
        }
        long b = rewards.getShape().get(0);
        checkGroups(b, groupSize);
        NDArray r = rewards.stopGradient().reshape(new Shape(b / groupSize, groupSize));
        NDArray centred;
        NDArray std;
        if (groupSize == 1) {
            centred = r;
            std = r.onesLike();
        } else {
            centred = r.sub(r.mean(new int[] {1}, true));
            std = Scalars.div(centred.square().sum(new int[] {1}, true), (float) (groupSize - 1)).sqrt();
        }
        NDArray adv = options.scaleByStd() ? centred.div(std.add((float) options.eps())) : centred;
        return adv.reshape(new Shape(b));
    }

    /**
     * For DAPO's dynamic sampling: per group of {@code groupSize} consecutive rewards, whether the rewards differ
     * (a group whose rewards are all equal has zero advantages and no gradient, so DAPO drops it).
     */
    public static boolean[] groupsWithVariance(double[] rewards, int groupSize) {
        checkGroups(rewards.length, groupSize);
        boolean[] keep = new boolean[rewards.length / groupSize];
        for (int g = 0; g < keep.length; g++) {
            for (int i = g * groupSize + 1; i < (g + 1) * groupSize && !keep[g]; i++) {
                keep[g] = rewards[i] != rewards[g * groupSize];
            }
        }
        return keep;
    }

    private static void checkGroups(long batch, int groupSize) {
        if (groupSize < 1 || batch % groupSize != 0) {
            throw new IllegalArgumentException("batch of " + batch + " rewards cannot be split into groups of "
                    + groupSize + " (group size must be >= 1 and divide the batch)");
        }
    }
}

package org.pathoreason.train.rl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.pathoreason.generate.FinishReason;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.model.Prompt;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.PromptedCompletions;
import org.pathoreason.reward.RewardResult;

/**
 * One step's training data: the kept groups flattened into rows (group 0's G completions, then group 1's, ...),
 * with each row's reward, advantage, and the old-policy and reference log-probabilities of its completion tokens
 * once they are known.
 *
 * <p>For the model, a (micro-)batch gives each group's prompt once, left-padded to the longest, and its completions
 * right-padded, so the per-token log-probabilities of all rows come out aligned ({@link #modelBatch}); the prompt
 * then runs once for its G completions rather than once per completion as in verl's and TRL's layout.
 */
public final class RolloutBatch {

    /**
     * One completion.
     *
     * @param group index of its group in the batch
     * @param completion the generated ids (the stop token included when generation stopped on it)
     * @param samplerLogProbs the sampler's log-probabilities of those ids (unmodified distribution)
     * @param truncated generation hit the length limit
     */
    public record Row(int group, Sample sample, Prompt prompt, long[] completion, float[] samplerLogProbs,
                      boolean truncated, RewardResult reward) {
    }

    /**
     * Rows of the batch as a model input.
     *
     * @param input each distinct prompt of the rows once (left-padded), the completions right-padded
     * @param rows the batch rows in input order
     */
    public record ModelBatch(PromptedCompletions input, int[] rows) {

        /** Completion columns: the longest completion's length. */
        public int width() {
            return input.width();
        }
    }

    private final List<RolloutGroup> groups;
    private final int groupSize;
    private final List<Row> rows;
    private final double[] rewards;
    private double[] advantages;
    private float[][] oldLogProbs;
    private float[][] refLogProbs;

    /** Flattens groups that all have {@code groupSize} completions. */
    public RolloutBatch(List<RolloutGroup> groups, int groupSize) {
        this.groups = List.copyOf(groups);
        this.groupSize = groupSize;
        this.rows = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            RolloutGroup group = groups.get(g);
            if (group.size() != groupSize) {
                throw new IllegalArgumentException("group " + g + " (sample " + group.sample().id() + ") has "
                        + group.size() + " completions, expected " + groupSize);
            }
            for (int i = 0; i < group.size(); i++) {
                GenerationResult c = group.completions().get(i);
                rows.add(new Row(g, group.sample(), group.prompt(), c.tokenIds(), c.logProbs(),
                        c.finishReason() == FinishReason.LENGTH, group.rewards().get(i)));
            }
        }
        this.rewards = rows.stream().mapToDouble(r -> r.reward().value()).toArray();
    }

    public List<RolloutGroup> groups() {
        return groups;
    }

    public int groupSize() {
        return groupSize;
    }

    public int size() {
        return rows.size();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public Row row(int i) {
        return rows.get(i);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The rewards the advantages are computed from (the scores, less the KL penalty when it is in the reward). */
    public double[] rewards() {
        return rewards.clone();
    }

    /** Subtracts a per-row penalty from the rewards (KL in the reward); call before {@link #computeAdvantages}. */
    public void subtractFromRewards(double[] penalty) {
        if (penalty.length != rewards.length) {
            throw new IllegalArgumentException("penalty has " + penalty.length + " entries for " + rewards.length
                    + " rows");
        }
        if (advantages != null) {
            throw new IllegalStateException("advantages were already computed from the rewards");
        }
        for (int i = 0; i < rewards.length; i++) {
            rewards[i] -= penalty[i];
        }
    }

    /** Group-relative advantages of the rewards. */
    public void computeAdvantages(Advantages.Options options) {
        advantages = rows.isEmpty() ? new double[0] : Advantages.ofBatch(rewards, groupSize, options);
    }

    public double[] advantages() {
        if (advantages == null) {
            throw new IllegalStateException("advantages not computed yet");
        }
        return advantages.clone();
    }

    /** Old-policy log-probs per row (completion length each), or null when not computed. */
    public float[][] oldLogProbs() {
        return oldLogProbs;
    }

    public void setOldLogProbs(float[][] logProbs) {
        this.oldLogProbs = checkLengths(logProbs, "old");
    }

    /** Reference log-probs per row, or null without a reference. */
    public float[][] refLogProbs() {
        return refLogProbs;
    }

    public void setRefLogProbs(float[][] logProbs) {
        this.refLogProbs = checkLengths(logProbs, "reference");
    }

    /** The sampler's log-probs of every row. */
    public float[][] samplerLogProbs() {
        float[][] out = new float[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i).samplerLogProbs();
        }
        return out;
    }

    /** Completion length of a row. */
    public int completionLength(int row) {
        return rows.get(row).completion().length;
    }

    /**
     * The rows {@code rowIndices} laid out for the model: the prompts of their groups once each, left-padded to the
     * longest, and the completions right-padded to the longest.
     *
     * @param padId written into padding columns (never attended to, never scored)
     */
    public ModelBatch modelBatch(int[] rowIndices, long padId) {
        Map<Integer, Integer> promptRowOfGroup = new LinkedHashMap<>();
        int width = 1;
        for (int r : rowIndices) {
            promptRowOfGroup.putIfAbsent(rows.get(r).group(), promptRowOfGroup.size());
            width = Math.max(width, rows.get(r).completion().length);
        }
        List<Prompt> distinct = new ArrayList<>();
        for (int group : promptRowOfGroup.keySet()) {
            distinct.add(groups.get(group).prompt());
        }
        ModelInput prompts = ModelInput.leftPadded(distinct, padId);
        int[] promptOf = new int[rowIndices.length];
        long[][] completions = new long[rowIndices.length][width];
        int[] lengths = new int[rowIndices.length];
        for (int b = 0; b < rowIndices.length; b++) {
            Row row = rows.get(rowIndices[b]);
            promptOf[b] = promptRowOfGroup.get(row.group());
            Arrays.fill(completions[b], padId);
            System.arraycopy(row.completion(), 0, completions[b], 0, row.completion().length);
            lengths[b] = row.completion().length;
        }
        return new ModelBatch(new PromptedCompletions(prompts, promptOf, completions, lengths),
                rowIndices.clone());
    }

    /**
     * The loss mask of a model batch, {@code [rows][width]}: 1 on each completion's tokens, 0 on padding, and 0 on
     * the whole row of a truncated completion when {@code maskTruncated} (DAPO's overlong filtering).
     */
    public float[][] lossMask(ModelBatch batch, boolean maskTruncated) {
        float[][] mask = new float[batch.rows().length][batch.width()];
        for (int b = 0; b < mask.length; b++) {
            Row row = rows.get(batch.rows()[b]);
            if (!(maskTruncated && row.truncated())) {
                Arrays.fill(mask[b], 0, row.completion().length, 1f);
            }
        }
        return mask;
    }

    /** Per-row values of {@code perRow} (completion length each) right-padded with zeros to the batch width. */
    public static float[][] padded(float[][] perRow, ModelBatch batch) {
        float[][] out = new float[batch.rows().length][batch.width()];
        for (int b = 0; b < out.length; b++) {
            float[] v = perRow[batch.rows()[b]];
            System.arraycopy(v, 0, out[b], 0, v.length);
        }
        return out;
    }

    private float[][] checkLengths(float[][] logProbs, String what) {
        if (logProbs == null) {
            return null;
        }
        if (logProbs.length != rows.size()) {
            throw new IllegalArgumentException(what + " log-probs have " + logProbs.length + " rows, batch has "
                    + rows.size());
        }
        for (int i = 0; i < logProbs.length; i++) {
            if (logProbs[i].length != rows.get(i).completion().length) {
                throw new IllegalArgumentException(what + " log-probs of row " + i + " have " + logProbs[i].length
                        + " entries for a completion of " + rows.get(i).completion().length + " tokens");
            }
        }
        return logProbs;
    }
}

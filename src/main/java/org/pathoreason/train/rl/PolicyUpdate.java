package org.pathoreason.train.rl;

import org.pathoreason.engine.GradientRecording;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.pathoreason.engine.Scalars;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.train.ParameterUpdater;
import org.pathoreason.train.StepRandom;

/**
 * The optimisation half of a GRPO/DAPO step: {@code ppo_epochs} passes over a rollout batch, each split into
 * shuffled mini-batches of {@code mini_batch_size} completions (one optimiser update each), each mini-batch run
 * through forward/backward {@code micro_batch_size} completions at a time.
 *
 * <p>Micro-batching never changes the gradient: each micro-batch's loss is weighted so that the accumulated
 * gradient is that of {@link LossAggregation} applied to the whole mini-batch (token-mean: by the micro-batch's
 * share of the mini-batch's loss tokens; the sequence means: by its share of the rows; the Dr. GRPO sum with a
 * fixed normaliser: by 1). verl instead divides every micro-batch by their count, which equals this only when all
 * micro-batches hold the same number of tokens.
 *
 * <p>Old log-probs: when a step makes a single update, the policy has not moved since the rollout when its only
 * forward runs, so the detached log-probs of that forward are the old ones exactly (TRL's shortcut, no extra
 * pass). With more updates per step they are recomputed by a no-grad forward before the first update (verl),
 * unless the batch already carries them (from the sampler, or from a KL-in-reward pass).
 */
public final class PolicyUpdate {

    /**
     * What the updates did. Losses are means over updates; fractions and KL are means over loss tokens.
     *
     * @param updates optimiser updates made (mini-batches without any loss token are skipped)
     * @param entropy the old policy's per-token entropy, estimated as the mean of {@code -log p} of the sampled
     *     tokens (exact in expectation at temperature 1 without top-p/top-k)
     * @param gradNorm mean global gradient norm before clipping
     * @param lr the learning rate of the last update
     */
    public record Stats(int updates, double loss, double pgLoss, double klLoss, double clipFraction,
                        double clipFractionLow, double clipFractionHigh, double dualClipFraction, double approxKl,
                        double klToReference, double ratioMean, double entropy, double gradNorm, double lr,
                        double lossTokens) {
    }

    private final VisionLanguageModel policy;
    private final RlOptions rl;
    private final PolicyLoss loss;
    private final long padId;

    public PolicyUpdate(VisionLanguageModel policy, RlOptions rl, long padId) {
        this.policy = policy;
        this.rl = rl;
        this.loss = new PolicyLoss(rl.policyLoss());
        this.padId = padId;
    }

    /**
     * Runs the updates of one step.
     *
     * @param shuffleSeed seeds the mini-batch order of each epoch (derive it from the run seed and the step)
     */
    public Stats run(RolloutBatch batch, ParameterUpdater updater, long shuffleSeed, NDManager root) {
        int rows = batch.size();
        if (rows == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, updater.nextLr(), 0);
        }
        int miniRows = rl.miniBatchRows(rows);
        int perEpoch = (rows + miniRows - 1) / miniRows;
        boolean singleUpdate = rl.ppoEpochs() * perEpoch == 1;
        if (batch.oldLogProbs() == null && !singleUpdate) {
            batch.setOldLogProbs(PolicyLogProbs.noGrad(policy, batch, rl.temperature(), rl.microBatchSize(), padId,
                    root));
        }
        double[] advantages = batch.advantages();
        Sums sums = new Sums();
        if (batch.oldLogProbs() != null) {
            for (float[] row : batch.oldLogProbs()) {
                for (float lp : row) {
                    sums.entropy -= lp;
                    sums.entropyTokens++;
                }
            }
        }
        for (int epoch = 0; epoch < rl.ppoEpochs(); epoch++) {
            int[] order = order(rows, perEpoch > 1 ? StepRandom.derive(shuffleSeed, epoch) : null);
            for (int start = 0; start < rows; start += miniRows) {
                int[] mini = Arrays.copyOfRange(order, start, Math.min(rows, start + miniRows));
                miniBatch(batch, mini, advantages, updater, root, sums);
            }
        }
        double n = Math.max(sums.tokens, 1e-12);
        int u = Math.max(sums.updates, 1);
        return new Stats(sums.updates, sums.loss / u, sums.pgLoss / u, sums.klLoss / u, sums.clip / n,
                sums.clipLow / n, sums.clipHigh / n, sums.dual / n, sums.approxKl / n,
                sums.klTokens > 0 ? sums.kl / sums.klTokens : Double.NaN, sums.ratio / n,
                sums.entropyTokens > 0 ? sums.entropy / sums.entropyTokens : Double.NaN,
                sums.updates > 0 ? sums.gradNorm / sums.updates : Double.NaN,
                sums.updates > 0 ? sums.lr : updater.nextLr(), sums.tokens);
    }

    private void miniBatch(RolloutBatch batch, int[] mini, double[] advantages, ParameterUpdater updater,
                           NDManager root, Sums sums) {
        double miniTokens = 0;
        for (int r : mini) {
            if (!(rl.maskTruncated() && batch.row(r).truncated())) {
                miniTokens += batch.completionLength(r);
            }
        }
        if (miniTokens == 0) {
            return; // every completion masked: nothing to learn from, no update
        }
        LossAggregation agg = rl.lossAgg();
        double miniLoss = 0;
        double miniPg = 0;
        double miniKl = 0;
        for (int start = 0; start < mini.length; start += rl.microBatchSize()) {
            int[] micro = Arrays.copyOfRange(mini, start, Math.min(mini.length, start + rl.microBatchSize()));
            RolloutBatch.ModelBatch mb = batch.modelBatch(micro, padId);
            float[][] mask = batch.lossMask(mb, rl.maskTruncated());
            double microTokens = 0;
            for (float[] row : mask) {
                for (float m : row) {
                    microTokens += m;
                }
            }
            double weight = switch (agg) {
                case TOKEN_MEAN -> microTokens / miniTokens;
                case SEQ_MEAN_TOKEN_SUM, SEQ_MEAN_TOKEN_MEAN -> (double) micro.length / mini.length;
                case SEQ_MEAN_TOKEN_SUM_NORM -> 1.0;
            };
            float[] adv = new float[micro.length];
            for (int i = 0; i < micro.length; i++) {
                adv[i] = (float) advantages[micro[i]];
            }
            try (NDManager step = root.newSubManager();
                 GradientCollector gc = GradientRecording.open()) {
                NDArray logp = PolicyLogProbs.of(policy, mb, rl.temperature(), step);
                NDArray old = batch.oldLogProbs() == null ? logp.stopGradient()
                        : create(step, RolloutBatch.padded(batch.oldLogProbs(), mb));
                NDArray ref = batch.refLogProbs() == null ? null
                        : create(step, RolloutBatch.padded(batch.refLogProbs(), mb));
                NDArray maskArray = create(step, mask);
                PolicyLoss.Output out = loss.compute(logp, old, step.create(adv), maskArray, ref);
                gc.backward(Scalars.mul(out.loss(), (float) weight));
                PolicyLoss.Stats s = out.stats();
                miniLoss += weight * s.loss();
                miniPg += weight * s.pgLoss();
                miniKl += weight * s.klLoss();
                sums.tokens += s.tokens();
                sums.clip += s.clipFraction() * s.tokens();
                sums.clipLow += s.clipFractionLow() * s.tokens();
                sums.clipHigh += s.clipFractionHigh() * s.tokens();
                sums.dual += s.dualClipFraction() * s.tokens();
                sums.approxKl += s.approxKl() * s.tokens();
                sums.ratio += s.ratioMean() * s.tokens();
                if (ref != null && s.tokens() > 0) {
                    sums.kl += s.klToReference() * s.tokens();
                    sums.klTokens += s.tokens();
                }
                if (batch.oldLogProbs() == null) {
                    // Single update: this forward is the old policy; estimate its entropy over every real token.
                    float[] lp = logp.stopGradient().toFloatArray();
                    for (int i = 0; i < micro.length; i++) {
                        int len = batch.completionLength(micro[i]);
                        for (int j = 0; j < len; j++) {
                            sums.entropy -= lp[i * mb.width() + j];
                            sums.entropyTokens++;
                        }
                    }
                }
            }
        }
        ParameterUpdater.Update u = updater.step();
        sums.updates++;
        sums.loss += miniLoss;
        sums.pgLoss += miniPg;
        sums.klLoss += miniKl;
        sums.gradNorm += u.gradNorm();
        sums.lr = u.lr();
    }

    private static NDArray create(NDManager m, float[][] values) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        float[] flat = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(values[i], 0, flat, i * cols, cols);
        }
        return m.create(flat, new Shape(rows, cols));
    }

    /** 0..n-1, shuffled (Fisher-Yates) when a seed is given. */
    private static int[] order(int n, Long seed) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        if (seed != null) {
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Running totals of one step. */
    private static final class Sums {
        int updates;
        double loss;
        double pgLoss;
        double klLoss;
        double tokens;
        double clip;
        double clipLow;
        double clipHigh;
        double dual;
        double approxKl;
        double ratio;
        double kl;
        double klTokens;
        double entropy;
        double entropyTokens;
        double gradNorm;
        double lr;
    }
}

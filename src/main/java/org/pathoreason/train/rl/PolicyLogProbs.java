package org.pathoreason.train.rl;

import org.pathoreason.engine.NoGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.pathoreason.engine.Scalars;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.VisionLanguageModel;

/**
 * Log-probabilities of completion tokens under a policy at the sampling temperature, as verl and TRL compute them
 * for the loss: {@code log_softmax(logits / temperature)} at each completion token. At temperature 1 this is the
 * model's own {@link VisionLanguageModel#tokenLogProbs}, which computes logits only where they are needed.
 */
public final class PolicyLogProbs {

    private PolicyLogProbs() {
    }

    /**
     * The log-probs of a model batch's completion columns, {@code [rows, width]}; padding entries are meaningless
     * (mask them). Inside a {@code GradientCollector} the result carries the graph.
     */
    public static NDArray of(VisionLanguageModel model, RolloutBatch.ModelBatch batch, double temperature,
                             NDManager manager) {
        ModelInput input = batch.input();
        int first = batch.firstTarget();
        if (temperature == 1.0) {
            return model.tokenLogProbs(input, first, manager);
        }
        int t = input.length();
        int b = input.batchSize();
        int n = t - first;
        NDArray logits = model.logits(input, manager).get(new NDIndex(":, {}:{}", first - 1, t - 1));
        NDArray logProbs = Scalars.div(logits, (float) temperature).logSoftmax(-1);
        long[] targets = new long[b * n];
        for (int i = 0; i < b; i++) {
            System.arraycopy(input.inputIds()[i], first, targets, i * n, n);
        }
        NDArray index = manager.create(targets, new Shape(b, n, 1));
        return logProbs.gather(index, 2).reshape(b, n);
    }

    /**
     * Log-probs of every row of {@code rollouts} without a graph, computed {@code microBatch} rows at a time; each
     * row trimmed to its completion length.
     */
    public static float[][] noGrad(VisionLanguageModel model, RolloutBatch rollouts, double temperature,
                                   int microBatch, long padId, NDManager parent) {
        float[][] out = new float[rollouts.size()][];
        for (int from = 0; from < rollouts.size(); from += microBatch) {
            int start = from;
            int[] rows = new int[Math.min(rollouts.size(), start + microBatch) - start];
            Arrays.setAll(rows, i -> start + i);
            RolloutBatch.ModelBatch batch = rollouts.modelBatch(rows, padId);
            try (NDManager step = parent.newSubManager()) {
                float[] flat = NoGrad.get(() -> of(model, batch, temperature, step).toFloatArray());
                for (int i = 0; i < rows.length; i++) {
                    int at = i * batch.width();
                    out[rows[i]] = Arrays.copyOfRange(flat, at, at + rollouts.completionLength(rows[i]));
                }
            }
        }
        return out;
    }
}

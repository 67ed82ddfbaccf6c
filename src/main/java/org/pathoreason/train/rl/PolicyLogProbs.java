package org.pathoreason.train.rl;

import org.pathoreason.engine.NoGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.pathoreason.model.VisionLanguageModel;

/**
 * Log-probabilities of completion tokens under a policy at the sampling temperature, as verl and TRL compute them
 * for the loss: {@code log_softmax(logits / temperature)} at each completion token
 * ({@link VisionLanguageModel#completionLogProbs}: each group's prompt runs once, logits only where needed).
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
        return model.completionLogProbs(batch.input(), temperature, manager);
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

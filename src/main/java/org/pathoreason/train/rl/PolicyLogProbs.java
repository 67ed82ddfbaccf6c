package org.pathoreason.train.rl;

import org.pathoreason.engine.NoGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.pathoreason.engine.Workers;
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
        return noGrad(model, rollouts, temperature, microBatch, padId, parent, Workers.CALLER_ONLY);
    }

    /** As {@link #noGrad(VisionLanguageModel, RolloutBatch, double, int, long, NDManager)}, micro-batches side by side. */
    public static float[][] noGrad(VisionLanguageModel model, RolloutBatch rollouts, double temperature,
                                   int microBatch, long padId, NDManager parent, Workers workers) {
        List<Callable<float[]>> pieces = new ArrayList<>();
        List<RolloutBatch.ModelBatch> batches = new ArrayList<>();
        for (int from = 0; from < rollouts.size(); from += microBatch) {
            int start = from;
            int[] rows = new int[Math.min(rollouts.size(), start + microBatch) - start];
            Arrays.setAll(rows, i -> start + i);
            RolloutBatch.ModelBatch batch = rollouts.modelBatch(rows, padId);
            batches.add(batch);
            pieces.add(() -> {
                try (NDManager step = parent.newSubManager()) {
                    return NoGrad.get(() -> of(model, batch, temperature, step).toFloatArray());
                }
            });
        }
        List<float[]> flats = workers.map(pieces);
        float[][] out = new float[rollouts.size()][];
        for (int k = 0; k < batches.size(); k++) {
            RolloutBatch.ModelBatch batch = batches.get(k);
            for (int i = 0; i < batch.rows().length; i++) {
                int at = i * batch.width();
                int row = batch.rows()[i];
                out[row] = Arrays.copyOfRange(flats.get(k), at, at + rollouts.completionLength(row));
            }
        }
        return out;
    }
}

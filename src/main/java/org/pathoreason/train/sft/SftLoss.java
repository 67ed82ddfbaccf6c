package org.pathoreason.train.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.pathoreason.model.VisionLanguageModel;

/**
 * The language-modelling loss of SFT and pretraining: the negative log-likelihood of the target tokens only.
 *
 * <p>A trainer divides the summed NLL of each micro-batch by the number of target tokens of the whole optimiser
 * update (all its micro-batches), so the accumulated gradient is that of the mean over every target token of the
 * update, whatever the split into micro-batches (as transformers does with {@code num_items_in_batch}).
 */
public final class SftLoss {

    private SftLoss() {
    }

    /**
     * The summed negative log-likelihood of the batch's target tokens, a scalar attached to {@code step}; run it
     * inside a gradient collector to train.
     */
    public static NDArray summedNll(VisionLanguageModel model, Batch batch, NDManager step) {
        int first = batch.firstTarget();
        int b = batch.size();
        int n = batch.input().length() - first;
        float[] weights = new float[b * n];
        for (int r = 0; r < b; r++) {
            boolean[] t = batch.targets()[r];
            for (int j = 0; j < n; j++) {
                if (t[first + j]) {
                    weights[r * n + j] = 1f;
                }
            }
        }
        NDArray logProbs = model.tokenLogProbs(batch.input(), first, step);
        NDArray w = step.create(weights, new Shape(b, n));
        return logProbs.mul(w).sum().neg();
    }
}

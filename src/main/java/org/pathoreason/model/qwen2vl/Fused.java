package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import java.util.Map;

/**
 * Linear maps over the same input (q, k and v; gate and up) stored as one matrix, so that they run as one matrix
 * product. The published parameters stay separate {@link NDArray}s under their own names (optimiser state,
 * checkpoints and freezing see them as before), but they share the fused array's storage: each is a detached
 * alias of its rows, so an in-place update of a parameter (AdamW, a checkpoint restore) is an update of the fused
 * array too, and nothing is copied or kept twice.
 *
 * <p>Without autograd (generation, reference passes) and for frozen weights the fused array is used as it is.
 * When autograd must reach the parameters, each part is multiplied on its own and the outputs concatenated:
 * concatenating the weights instead copied them in every training forward (0.84 GB for the 0.5B model) and made
 * its forward about 1.5 times slower.
 */
final class Fused implements Linear {

    private final NDArray weight;
    private final NDArray bias;
    private final NDArray[] weights;
    private final NDArray[] biases;

    private Fused(NDArray weight, NDArray bias, NDArray[] weights, NDArray[] biases) {
        this.weight = weight;
        this.bias = bias;
        this.weights = weights;
        this.biases = biases;
    }

    /**
     * Fuses the named parameters (weights {@code [out_i, in]}, biases {@code [out_i]} or none) of {@code params}
     * and replaces each entry by its alias of the fused storage, keeping its name. The old arrays are closed.
     *
     * @param biasNames one per weight, or null when the maps have no bias
     */
    static Fused of(Map<String, NDArray> params, List<String> weightNames, List<String> biasNames,
                    NDManager manager) {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDArray[] w = new NDArray[weightNames.size()];
            NDArray fusedWeight = fuse(params, weightNames, w, manager);
            NDArray[] b = biasNames == null ? null : new NDArray[biasNames.size()];
            NDArray fusedBias = biasNames == null ? null : fuse(params, biasNames, b, manager);
            return new Fused(fusedWeight, fusedBias, w, b);
        } finally {
            JniUtils.setGradMode(was);
        }
    }

    /**
     * Concatenates the named arrays along the first axis and replaces each by an alias of its rows there.
     *
     * @param aliases receives the aliases, in order
     * @return the fused array
     */
    private static NDArray fuse(Map<String, NDArray> params, List<String> names, NDArray[] aliases,
                                NDManager manager) {
        NDList parts = new NDList();
        for (String n : names) {
            parts.add(params.get(n));
        }
        NDArray fused = NDArrays.concat(parts, 0);
        fused.attach(manager);
        long at = 0;
        for (int i = 0; i < aliases.length; i++) {
            NDArray old = params.get(names.get(i));
            long rows = old.getShape().get(0);
            NDArray view = JniUtils.slice((PtNDArray) fused, 0, at, at + rows, 1);
            aliases[i] = view.stopGradient(); // a leaf on the same storage; the model sets requires_grad
            view.close();
            aliases[i].attach(manager);
            aliases[i].setName(names.get(i));
            params.put(names.get(i), aliases[i]);
            old.close();
            at += rows;
        }
        return fused;
    }

    @Override
    public NDArray apply(NDArray x, boolean gradMode) {
        if (!gradMode || !partsNeedGradients()) {
            return Nn.linear(x, weight, bias);
        }
        NDList outs = new NDList();
        for (int i = 0; i < weights.length; i++) {
            outs.add(Nn.linear(x, weights[i], biases == null ? null : biases[i]));
        }
        return NDArrays.concat(outs, -1);
    }

    /** Sizes of the parts along the output axis. */
    @Override
    public long[] sizes() {
        long[] out = new long[weights.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = weights[i].getShape().get(0);
        }
        return out;
    }

    private boolean partsNeedGradients() {
        for (NDArray w : weights) {
            if (w.hasGradient()) {
                return true;
            }
        }
        if (biases != null) {
            for (NDArray b : biases) {
                if (b.hasGradient()) {
                    return true;
                }
            }
        }
        return false;
    }
}

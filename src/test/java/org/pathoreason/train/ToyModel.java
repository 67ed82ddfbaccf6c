package org.pathoreason.train;

import org.pathoreason.engine.GradientRecording;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A two-layer softmax classifier whose parameters carry Qwen-like names, so the name-based rules (no-decay groups,
 * freezing) apply to it: {@code model.layers.0.mlp.weight/bias}, {@code model.norm.weight}, {@code lm_head.weight}.
 * The data set is fixed by a seed.
 */
final class ToyModel implements AutoCloseable {

    static final int IN = 8;
    static final int HIDDEN = 6;
    static final int CLASSES = 3;

    final NDManager manager;
    final Map<String, NDArray> params = new LinkedHashMap<>();
    final float[][] inputs;
    final int[] labels;

    ToyModel(NDManager parent, long seed, int samples) {
        this(parent, seed, seed, samples);
    }

    /** A model whose initial weights come from {@code initSeed} and whose data set comes from {@code dataSeed}. */
    ToyModel(NDManager parent, long initSeed, long dataSeed, int samples) {
        manager = parent.newSubManager();
        SplittableRandom rng = new SplittableRandom(initSeed);
        params.put("model.layers.0.mlp.weight", param(rng, new Shape(IN, HIDDEN), 0.4));
        params.put("model.layers.0.mlp.bias", param(rng, new Shape(HIDDEN), 0.1));
        params.put("model.norm.weight", param(rng, new Shape(HIDDEN), 0.1).addi(1));
        params.put("lm_head.weight", param(rng, new Shape(HIDDEN, CLASSES), 0.4));
        params.values().forEach(p -> p.setRequiresGradient(true));
        rng = new SplittableRandom(dataSeed);
        inputs = new float[samples][IN];
        labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            double s = 0;
            for (int j = 0; j < IN; j++) {
                inputs[i][j] = (float) (rng.nextDouble() * 2 - 1);
                s += inputs[i][j] * (j % 2 == 0 ? 1 : -0.5);
            }
            labels[i] = s > 0.3 ? 2 : s < -0.3 ? 0 : 1;
        }
    }

    private NDArray param(SplittableRandom rng, Shape shape, double scale) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        }
        return manager.create(v, shape);
    }

    /** Mean cross-entropy of the samples {@code batch} (inputs jittered by {@code noise} when given), in {@code step}. */
    NDArray loss(NDManager step, int[] batch, SplittableRandom noise) {
        float[] x = new float[batch.length * IN];
        float[] y = new float[batch.length];
        for (int i = 0; i < batch.length; i++) {
            System.arraycopy(inputs[batch[i]], 0, x, i * IN, IN);
            y[i] = labels[batch[i]];
        }
        if (noise != null) {
            for (int i = 0; i < x.length; i++) {
                x[i] += (float) ((noise.nextDouble() - 0.5) * 0.2);
            }
        }
        NDArray in = step.create(x, new Shape(batch.length, IN));
        NDArray hidden = in.matMul(params.get("model.layers.0.mlp.weight"))
                .add(params.get("model.layers.0.mlp.bias")).tanh().mul(params.get("model.norm.weight"));
        NDArray logits = hidden.matMul(params.get("lm_head.weight"));
        NDArray logProbs = logits.logSoftmax(1);
        NDArray picked = logProbs.mul(step.create(y).oneHot(CLASSES)).sum(new int[] {1});
        return picked.mean().neg();
    }

    /** Runs backward on the batch's loss (gradients add up) and returns the loss value. */
    float backward(NDManager parent, int[] batch) {
        return backward(parent, batch, null);
    }

    /** As {@link #backward(NDManager, int[])} with input noise drawn from {@code noise} (a stand-in for dropout). */
    float backward(NDManager parent, int[] batch, SplittableRandom noise) {
        try (NDManager step = parent.newSubManager();
                GradientCollector gc = GradientRecording.open()) {
            NDArray loss = loss(step, batch, noise);
            gc.backward(loss);
            return loss.getFloat();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

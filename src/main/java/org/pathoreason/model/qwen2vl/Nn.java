package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The few tensor operations the architecture is made of, written so that every result lands in the caller's
 * (step) manager: DJL attaches a result to its first operand's manager, so activations always come first and a
 * result computed from a parameter alone is re-attached explicitly. Public so that the other architectures of
 * {@code org.pathoreason.model} (the CLIP dual encoder) build on the same helpers.
 */
public final class Nn {

    /** Additive mask value for a disallowed key (finite, so fully masked rows stay NaN-free, as in transformers). */
    public static final float MASKED = -Float.MAX_VALUE;

    private Nn() {
    }

    /** {@code x W^T + b}; {@code bias} may be null. */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    /** Qwen2 RMSNorm: {@code weight * x / sqrt(mean(x^2) + eps)}. */
    public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(eps).sqrt()).mul(weight);
    }

    /** LayerNorm over the last axis (PyTorch's {@code layer_norm}): {@code (x - mean) / sqrt(var + eps) * w + b}. */
    public static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, double eps) {
        return x.getNDArrayInternal().layerNorm(x, weight.getShape(), weight, bias, (float) eps).singletonOrThrow();
    }

    /** GELU with the exact erf form (PyTorch's {@code nn.GELU()} default). */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** OpenAI CLIP's QuickGELU, {@code x * sigmoid(1.702 x)}. */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(x.mul(1.702f).getNDArrayInternal().sigmoid());
    }

    /** {@code x / max(||x||_2, 1e-12)} along the last axis, PyTorch's {@code F.normalize(x, dim=-1)}. */
    public static NDArray l2Normalize(NDArray x) {
        return JniUtils.normalize((PtNDArray) x, 2.0, -1, 1e-12);
    }

    /** SiLU, {@code x * sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** SwiGLU MLP: {@code down(silu(gate(x)) * up(x))}; biases may be null. */
    public static NDArray swiGlu(NDArray x, NDArray gateW, NDArray gateB, NDArray upW, NDArray upB, NDArray downW,
                          NDArray downB) {
        NDArray gate = silu(linear(x, gateW, gateB));
        return linear(gate.mul(linear(x, upW, upB)), downW, downB);
    }

    /**
     * Rotary tables for a batch of positions: {@code cos = cat(cos a, cos a)}, {@code sin = cat(sin a, sin a)} for
     * host-computed angles {@code a} (float32, exactly as the reference computes them, then through torch's cos and
     * sin), and the signed permutation {@code rotateHalf} with {@code x @ rotateHalf == cat(-x2, x1)}: one matmul,
     * exact (each output is one input times +-1), instead of two slices, a negation and a concatenation.
     */
    record Rotary(NDArray cos, NDArray sin, NDArray rotateHalf) {

        /** {@code x * cos + rotate_half(x) * sin}. */
        NDArray apply(NDArray x) {
            return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
        }
    }

    /**
     * @param angles {@code shape.size()} angles, the last axis being the {@code headDim / 2} frequencies
     * @param shape the angles' shape, broadcastable against {@code [..., heads, T, headDim / 2]} once doubled
     */
    static Rotary rotary(NDManager manager, float[] angles, Shape shape) {
        NDArray a = manager.create(angles, shape);
        NDArray full = a.concat(a, -1);
        int dim = (int) shape.get(shape.dimension() - 1) * 2;
        int half = dim / 2;
        float[] r = new float[dim * dim];
        for (int k = 0; k < half; k++) {
            r[(k + half) * dim + k] = -1f;
            r[k * dim + k + half] = 1f;
        }
        return new Rotary(full.cos(), full.sin(), manager.create(r, new Shape(dim, dim)));
    }

    /** Reshapes a parameter and attaches the view to {@code manager} (it would otherwise stay with the weights). */
    public static NDArray reshapeParameter(NDArray parameter, Shape shape, NDManager manager) {
        NDArray view = parameter.reshape(shape);
        view.attach(manager);
        return view;
    }

    /** Rows {@code index} of {@code x} (first axis); differentiable. */
    public static NDArray rows(NDArray x, long[] index) {
        NDArray idx = x.getManager().create(index);
        return x.get(new NDIndex("{}", idx));
    }

    /** {@code 1 / theta^(arange(0, dim, 2) / dim)} in float32, as transformers builds {@code inv_freq}. */
    static float[] inverseFrequencies(NDManager manager, double theta, int dim) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray exponent = scope.arange(0, dim, 2, DataType.FLOAT32).div(dim);
            NDArray base = scope.full(exponent.getShape(), (float) theta, DataType.FLOAT32);
            return base.pow(exponent).getNDArrayInternal().rdiv(1f).toFloatArray();
        }
    }

    /**
     * Softmax attention of {@code q [..., Tq, d]} over {@code k, v [..., L, d]} with an optional additive mask
     * broadcastable to the scores.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask, double scale) {
        NDArray scores = q.matMul(k.swapAxes(-1, -2)).mul(scale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        return scores.softmax(-1).matMul(v);
    }

    /** 0 where allowed, {@link #MASKED} where not, from a boolean array. */
    public static NDArray additiveMask(NDArray allowed) {
        NDArray zeros = allowed.zerosLike().toType(DataType.FLOAT32, false);
        NDArray masked = zeros.add(MASKED);
        return NDArrays.where(allowed, zeros, masked);
    }
}

package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.engine.Scalars;

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

    // DJL's generic NDArray methods ask the engine for a fresh array's shape or type before some operations
    // (matMul, transpose, softmax) and turn a Number operand into a new one-element array each call: in a pass of
    // a few hundred small operations those calls cost as much as the arithmetic. The few operations of the
    // forward go straight to the engine instead, and constants are arrays made once.

    /** {@code a @ b} (batched, broadcasting). */
    static NDArray matMul(NDArray a, NDArray b) {
        return JniUtils.matmul((PtNDArray) a, (PtNDArray) b);
    }

    /** The axes of {@code x} permuted (a view). */
    static NDArray permute(NDArray x, long... axes) {
        return JniUtils.permute((PtNDArray) x, axes);
    }

    /** Softmax of float32 {@code x} along {@code axis}. */
    static NDArray softmax(NDArray x, int axis) {
        return JniUtils.softmax((PtNDArray) x, axis, DataType.FLOAT32);
    }

    /**
     * {@code fromHost} (an array DJL made from Java data) copied into memory PyTorch owns, in the same manager; the
     * original is closed. DJL keeps such an array's values in a JVM direct buffer that is released once the DJL
     * array is closed and collected, while autograd may still hold the tensor for backward (an index, a rotary
     * table, a mask): backward would then read freed memory. Every host array the forward uses passes through here.
     */
    static NDArray owned(NDArray fromHost) {
        NDArray copy = fromHost.duplicate();
        fromHost.close();
        return copy;
    }

    /** A float32 scalar array kept in {@code manager} (the model's), not in the caller's scope. */
    static NDArray constant(NDManager manager, float value) {
        NDArray c = owned(manager.create(value));
        NDScope.unregister(c);
        return c;
    }

    /** {@code x W^T + b}; {@code bias} may be null. */
    public static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    /**
     * The map (or fused maps, concatenated along the last axis) of {@code weight} applied to {@code x}: float32 in
     * PyTorch or 16-bit memory-mapped (see {@link Linear}).
     *
     * @param gradMode whether autograd records this forward ({@code JniUtils.isGradMode()}, asked once per pass)
     */
    static NDArray linear(NDArray x, Linear weight, boolean gradMode) {
        return weight.apply(x, gradMode);
    }

    /** A view of {@code x} along {@code axis} from {@code start} (inclusive) to {@code end}. */
    static NDArray slice(NDArray x, int axis, long start, long end) {
        return JniUtils.slice((PtNDArray) x, axis, start, end, 1);
    }

    /** Views of consecutive parts of {@code x} along {@code axis} with the given sizes. */
    static NDList split(NDArray x, long[] sizes, int axis) {
        return JniUtils.split((PtNDArray) x, sizes, axis);
    }

    /**
     * Writes {@code columns} {@code [batch, heads, count, hd]} into {@code cache} {@code [batch, heads, capacity, hd]}
     * at columns {@code start .. start + count}, in place.
     */
    static void writeColumns(NDArray cache, NDArray columns, long batch, long heads, long start, long count) {
        JniUtils.indexSet((PtNDArray) cache, (PtNDArray) columns, new long[] {0, 0, start},
                new long[] {batch, heads, start + count}, new long[] {1, 1, 1});
    }

    /**
     * Qwen2 RMSNorm as transformers writes it, {@code weight * (x * rsqrt(mean(x^2) + eps))}: the one reciprocal is
     * taken on the small {@code [..., 1]} tensor, and the large one is multiplied (cheaper than divided, forward and
     * backward). {@code eps} and {@code minusHalf} (-0.5) are {@link #constant}s.
     */
    public static NDArray rmsNorm(NDArray x, NDArray weight, NDArray eps, NDArray minusHalf) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.mul(meanSquare.add(eps).pow(minusHalf)).mul(weight);
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
        return x.mul(Scalars.mul(x, 1.702f).getNDArrayInternal().sigmoid());
    }

    /** {@code x / max(||x||_2, 1e-12)} along the last axis, PyTorch's {@code F.normalize(x, dim=-1)}. */
    public static NDArray l2Normalize(NDArray x) {
        return JniUtils.normalize((PtNDArray) x, 2.0, -1, 1e-12);
    }

    /** SiLU, {@code x * sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** SwiGLU MLP: {@code down(silu(gate(x)) * up(x))}, gate and up fused ({@code [2 * intermediate, hidden]}). */
    static NDArray swiGlu(NDArray x, Linear gateUp, Linear down, boolean gradMode) {
        NDList gu = split(linear(x, gateUp, gradMode), gateUp.sizes(), -1);
        return linear(silu(gu.get(0)).mul(gu.get(1)), down, gradMode);
    }

    /** Tokens up to which rotary runs as one small matrix per token (see {@link Rotary}). */
    static final int ROTARY_MATRIX_TOKENS = 8;

    /**
     * Rotary position embedding, {@code x * cos + rotate_half(x) * sin} over {@code x [..., heads, headDim]}, in one
     * of two equal forms chosen by the number of tokens. For a few tokens (a decoding step) it is one matrix product
     * per token, {@code x @ M} with {@code M} holding {@code cos} on its diagonal and {@code -sin} / {@code +sin}
     * where {@code rotate_half} takes each output from: one operation instead of several, where each operation's
     * fixed cost outweighs its arithmetic. For many tokens those per-token products would run as thousands of tiny
     * matrices, far slower than the element-wise form over {@code cos} and {@code sin} tables
     * {@code [..., 1, headDim]}. Either way the tables serve every layer and q and k together.
     */
    record Rotary(NDArray matrix, NDArray cos, NDArray sin, long half) {

        NDArray apply(NDArray x) {
            if (matrix != null) {
                return matMul(x, matrix);
            }
            NDList halves = split(x, new long[] {half, half}, -1);
            NDArray rotated = halves.get(1).neg().concat(halves.get(0), -1); // rotate_half: cat(-x2, x1)
            return x.mul(cos).add(rotated.mul(sin));
        }
    }

    /**
     * @param angles per token, {@code headDim / 2} angles (float32, as the reference computes them)
     * @param batchShape the batch axes of the tokens ({@code angles.length / (headDim / 2)} tokens)
     */
    static Rotary rotary(NDManager manager, float[] angles, Shape batchShape, int headDim) {
        int half = headDim / 2;
        int tokens = angles.length / half;
        long[] dims = new long[batchShape.dimension() + 2];
        System.arraycopy(batchShape.getShape(), 0, dims, 0, batchShape.dimension());
        if (tokens <= ROTARY_MATRIX_TOKENS) {
            int square = headDim * headDim;
            float[] m = new float[tokens * square];
            for (int t = 0; t < tokens; t++) {
                int base = t * square;
                for (int k = 0; k < half; k++) {
                    float a = angles[t * half + k];
                    float cos = (float) Math.cos(a);
                    float sin = (float) Math.sin(a);
                    // column j of M holds the weights of output j: out_k = x_k cos - x_{k+half} sin,
                    // out_{k+half} = x_{k+half} cos + x_k sin
                    m[base + k * headDim + k] = cos;
                    m[base + (k + half) * headDim + k] = -sin;
                    m[base + (k + half) * headDim + k + half] = cos;
                    m[base + k * headDim + k + half] = sin;
                }
            }
            dims[dims.length - 2] = headDim;
            dims[dims.length - 1] = headDim;
            return new Rotary(owned(manager.create(m, new Shape(dims))), null, null, half);
        }
        float[] cos = new float[tokens * headDim];
        float[] sin = new float[tokens * headDim];
        for (int t = 0; t < tokens; t++) {
            for (int k = 0; k < half; k++) {
                float a = angles[t * half + k];
                float c = (float) Math.cos(a);
                float s = (float) Math.sin(a);
                cos[t * headDim + k] = c;
                cos[t * headDim + k + half] = c;
                sin[t * headDim + k] = s;
                sin[t * headDim + k + half] = s;
            }
        }
        dims[dims.length - 2] = 1;
        dims[dims.length - 1] = headDim;
        Shape tables = new Shape(dims);
        return new Rotary(null, owned(manager.create(cos, tables)), owned(manager.create(sin, tables)), half);
    }

    /** True when some row has a padding column (0) before a real one (1) among its first {@code keys} columns. */
    static boolean paddingBeforeRealTokens(int[][] keyMask, int keys) {
        for (int[] row : keyMask) {
            boolean padding = false;
            for (int j = 0; j < keys; j++) {
                if (row[j] == 0) {
                    padding = true;
                } else if (padding) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Additive causal masks {@code [1, 1, 1, T, L]} (query {@code start + i} sees keys {@code 0 .. start + i}),
     * built once per shape and kept in the model's manager; a few shapes are kept (training alternates lengths).
     */
    static final class CausalMasks {
        static final int KEEP = 8;
        private final Map<List<Integer>, NDArray> masks = new LinkedHashMap<>(16, 0.75f, true);
        private final NDManager manager;

        CausalMasks(NDManager manager) {
            this.manager = manager;
        }

        synchronized NDArray get(int queries, int keys, int start) {
            List<Integer> key = List.of(queries, keys, start);
            NDArray mask = masks.get(key);
            if (mask == null) {
                float[] additive = new float[queries * keys];
                for (int q = 0; q < queries; q++) {
                    for (int j = start + q + 1; j < keys; j++) {
                        additive[q * keys + j] = MASKED;
                    }
                }
                mask = owned(manager.create(additive, new Shape(1, 1, 1, queries, keys)));
                NDScope.unregister(mask); // the model's, not the caller's scope's
                masks.put(key, mask);
                if (masks.size() > KEEP) {
                    var eldest = masks.entrySet().iterator();
                    eldest.next().getValue().close(); // a step still using it keeps the tensor alive
                    eldest.remove();
                }
            }
            return mask;
        }
    }

    /** Reshapes a parameter and attaches the view to {@code manager} (it would otherwise stay with the weights). */
    public static NDArray reshapeParameter(NDArray parameter, Shape shape, NDManager manager) {
        NDArray view = parameter.reshape(shape);
        view.attach(manager);
        return view;
    }

    /** Rows {@code index} of {@code x} (first axis); differentiable. */
    public static NDArray rows(NDArray x, long[] index) {
        return rowsOf(x, owned(x.getManager().create(index)));
    }

    /** Rows {@code index} (int64, in PyTorch's memory) of {@code x} (first axis); differentiable. */
    static NDArray rowsOf(NDArray x, NDArray index) {
        return x.get(new NDIndex("{}", index));
    }

    /** {@code 1 / theta^(arange(0, dim, 2) / dim)} in float32, as transformers builds {@code inv_freq}. */
    static float[] inverseFrequencies(NDManager manager, double theta, int dim) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray exponent = Scalars.div(scope.arange(0, dim, 2, DataType.FLOAT32), dim);
            NDArray base = scope.full(exponent.getShape(), (float) theta, DataType.FLOAT32);
            return Scalars.rdiv(1f, base.pow(exponent)).toFloatArray();
        }
    }

    /**
     * Softmax attention of {@code q [..., Tq, d]} over {@code k, v [..., L, d]} with an optional additive mask
     * broadcastable to the scores.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray mask, NDArray scale) {
        NDArray scores = matMul(q, k.swapAxes(-1, -2)).mul(scale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        return matMul(softmax(scores, -1), v);
    }

    /** 0 where allowed, {@link #MASKED} where not, from a boolean array. */
    public static NDArray additiveMask(NDArray allowed) {
        NDArray zeros = allowed.zerosLike().toType(DataType.FLOAT32, false);
        NDArray masked = zeros.add(MASKED);
        return NDArrays.where(allowed, zeros, masked);
    }
}

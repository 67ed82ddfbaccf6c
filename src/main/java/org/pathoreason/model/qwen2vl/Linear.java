package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.List;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.WeightPrecision;
import org.pathoreason.model.half.HalfKernels;
import org.pathoreason.model.half.HalfLinear;
import org.pathoreason.model.half.WeightMatrix;

/**
 * The weight of a linear map {@code y = x W^T + b} (or of several maps over the same input, their outputs
 * concatenated), held one of two ways: float32 arrays in PyTorch ({@link Dense}, {@link Fused}; autograd reaches
 * them), or matrices left in the checkpoint's files in their stored 16 bits, memory-mapped, and multiplied by the
 * {@link HalfKernels} with float32 accumulation ({@link Mapped}; frozen, inference only).
 */
interface Linear {

    /**
     * {@code x W^T + b} for float32 {@code x [..., in]}: float32 {@code [..., sum of sizes()]}.
     *
     * @param gradMode whether autograd records this forward ({@code JniUtils.isGradMode()}, asked once per pass)
     */
    NDArray apply(NDArray x, boolean gradMode);

    /** Output features of each map, in order. */
    long[] sizes();

    /**
     * Rows {@code ids [B, T]} of the weight read as an embedding table {@code [vocab, hidden]}: float32
     * {@code [B, T, hidden]} (ids checked by the caller). Only a single map is a table.
     */
    default NDArray rows(long[][] ids, NDManager manager) {
        throw new UnsupportedOperationException("fused maps are not an embedding table");
    }

    /** One float32 map; {@code bias} may be null. */
    static Linear of(NDArray weight, NDArray bias) {
        return new Dense(weight, bias);
    }

    /** One float32 weight {@code [out, in]} in PyTorch (a parameter or a view of one) and its bias or null. */
    record Dense(NDArray weight, NDArray bias) implements Linear {

        @Override
        public NDArray apply(NDArray x, boolean gradMode) {
            return Nn.linear(x, weight, bias);
        }

        @Override
        public long[] sizes() {
            return new long[] {weight.getShape().get(0)};
        }

        @Override
        public NDArray rows(long[][] ids, NDManager manager) {
            int b = ids.length;
            int t = ids[0].length;
            long[] flat = new long[b * t];
            for (int i = 0; i < b; i++) {
                System.arraycopy(ids[i], 0, flat, i * t, t);
            }
            NDArray idArray = Nn.owned(manager.create(flat, new Shape(b, t)));
            return Embedding.embedding(idArray, weight, SparseFormat.DENSE).singletonOrThrow();
        }
    }

    /**
     * Memory-mapped matrices {@code [out_i, in]} multiplied by the 16-bit kernels, each part's product written into
     * its columns of one output; the bias (float32 in PyTorch, all parts' concatenated) is added by DJL. No gradient
     * reaches these weights or passes through them: an input that autograd tracks is refused.
     */
    final class Mapped implements Linear {
        static final String WIDEN_ROWS_PROPERTY = "pathoreason.kernels.widenRows";
        /**
         * Activation rows from which the product widens blocks of weights and runs in PyTorch, by measurement
         * (docs/half-precision.md): the kernels win at 16 rows and below, PyTorch's float32 GEMM is 2-3 times
         * faster at 256 rows, and a 64-token prefill of a 7B-shaped model took 30.9 s widened against 34.4 s in
         * the kernels. System property
         * {@value #WIDEN_ROWS_PROPERTY} changes it (for measuring).
         */
        static final int WIDEN_ROWS = Integer.getInteger(WIDEN_ROWS_PROPERTY, 64);
        /** Float32 values of one widened block of weight rows (4 MB). */
        static final int WIDEN_BLOCK_VALUES = 1 << 20;

        private final HalfKernels kernels;
        private final List<WeightMatrix> parts;
        private final NDArray bias;
        private final int in;
        private final int out;

        Mapped(HalfKernels kernels, List<WeightMatrix> parts, NDArray bias) {
            this.kernels = kernels;
            this.parts = List.copyOf(parts);
            int o = 0;
            for (WeightMatrix w : parts) {
                if (w.cols() != parts.get(0).cols()) {
                    throw new ModelException(w + " takes " + w.cols() + " inputs but " + parts.get(0) + " takes "
                            + parts.get(0).cols() + "; fused maps share their input");
                }
                o += w.rows();
            }
            this.in = parts.get(0).cols();
            this.out = o;
            this.bias = bias;
        }

        @Override
        public NDArray apply(NDArray x, boolean gradMode) {
            if (gradMode && x.hasGradient()) {
                throw new ModelException(parts.get(0).name() + ": the model holds 16-bit memory-mapped weights for "
                        + "inference (WeightPrecision." + WeightPrecision.HALF + "), through which no gradient passes; "
                        + "open the checkpoint with WeightPrecision." + WeightPrecision.FLOAT32 + " to train");
            }
            Shape shape = x.getShape();
            if (shape.size() / Math.max(1, in) >= WIDEN_ROWS) {
                return widened(x);
            }
            if (parts.size() == 1) {
                return Nn.owned(HalfLinear.linear(kernels, x, parts.get(0), bias));
            }
            long features = shape.get(shape.dimension() - 1);
            if (features != in) {
                throw new ModelException(parts.get(0) + ": input has " + features + " features, the weights take "
                        + in);
            }
            if (x.getDataType() != DataType.FLOAT32) {
                throw new ModelException(parts.get(0) + ": activations must be float32, got " + x.getDataType());
            }
            int rows = Math.toIntExact(shape.size() / in);
            float[] xs = x.toFloatArray();
            float[] y = new float[Math.multiplyExact(rows, out)];
            int at = 0;
            for (WeightMatrix w : parts) {
                float[] part = new float[Math.multiplyExact(rows, w.rows())];
                kernels.matmul(xs, rows, w, part);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(part, r * w.rows(), y, r * out + at, w.rows());
                }
                at += w.rows();
            }
            long[] outShape = shape.getShape();
            outShape[outShape.length - 1] = out;
            NDArray product = Nn.owned(x.getManager().create(y, new Shape(outShape)));
            if (bias == null) {
                return product;
            }
            NDArray withBias = product.add(bias);
            product.close();
            return withBias;
        }

        /**
         * Many rows (a long prefill, the vision tower over an image's patches): the weights widened to float32 a
         * block of rows at a time (a few MB each) and multiplied by PyTorch, whose GEMM outruns the kernels' 4-row
         * blocks there; each block is dropped after its product, so no float32 copy of the matrix is ever whole.
         */
        private NDArray widened(NDArray x) {
            NDManager m = x.getManager();
            NDList outs = new NDList();
            int rowsPerBlock = Math.max(1, WIDEN_BLOCK_VALUES / in);
            float[] block = new float[Math.multiplyExact(Math.min(rowsPerBlock, maxRows()), in)];
            try {
                for (WeightMatrix w : parts) {
                    for (int r = 0; r < w.rows(); r += rowsPerBlock) {
                        int n = Math.min(rowsPerBlock, w.rows() - r);
                        for (int i = 0; i < n; i++) {
                            kernels.readRow(w, r + i, block, i * in);
                        }
                        try (NDArray wb = m.create(java.nio.FloatBuffer.wrap(block, 0, n * in), new Shape(n, in))) {
                            outs.add(Nn.linear(x, wb, null));
                        }
                    }
                }
                NDArray y = outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, -1);
                return bias == null ? y : y.add(bias);
            } finally {
                if (outs.size() > 1 || bias != null) {
                    outs.close();
                }
            }
        }

        private int maxRows() {
            int max = 0;
            for (WeightMatrix w : parts) {
                max = Math.max(max, w.rows());
            }
            return max;
        }

        @Override
        public long[] sizes() {
            long[] s = new long[parts.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = parts.get(i).rows();
            }
            return s;
        }

        @Override
        public NDArray rows(long[][] ids, NDManager manager) {
            if (parts.size() != 1) {
                throw new UnsupportedOperationException("fused maps are not an embedding table");
            }
            return Nn.owned(HalfLinear.embedding(kernels, ids, parts.get(0), manager));
        }

        /** The stored types of the parts, for example "BF16". */
        String dtypes() {
            java.util.TreeSet<String> t = new java.util.TreeSet<>();
            for (WeightMatrix w : parts) {
                t.add(w.dtype().safetensorsName());
            }
            return String.join("+", t);
        }

        /** Bytes of weights one product reads. */
        long byteSize() {
            long b = 0;
            for (WeightMatrix w : parts) {
                b += w.byteSize();
            }
            return b;
        }
    }
}

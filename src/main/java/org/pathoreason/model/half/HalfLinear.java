package org.pathoreason.model.half;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.pathoreason.model.ModelException;

/**
 * DJL arrays in and out of the {@link HalfKernels}: a linear layer {@code x W^T + b} and an embedding look-up whose
 * weights stay in a {@link WeightMatrix}. The activations cross to the Java heap and back (a few MB per call,
 * small beside the weights the product streams). Inference only: the result records no gradient.
 */
public final class HalfLinear {

    private HalfLinear() {
    }

    /**
     * {@code x W^T + bias} for float32 {@code x [..., in]}; {@code bias [out]} or null. The result is float32
     * {@code [..., out]} under {@code x}'s manager.
     */
    public static NDArray linear(HalfKernels kernels, NDArray x, WeightMatrix w, NDArray bias) {
        Shape shape = x.getShape();
        long in = shape.get(shape.dimension() - 1);
        if (in != w.cols()) {
            throw new ModelException(w + ": input has " + in + " features, the weights take " + w.cols());
        }
        if (x.getDataType() != DataType.FLOAT32) {
            throw new ModelException(w + ": activations must be float32, got " + x.getDataType());
        }
        int rows = Math.toIntExact(shape.size() / in);
        float[] y = new float[Math.multiplyExact(rows, w.rows())];
        kernels.matmul(x.toFloatArray(), rows, w, y);
        long[] outShape = shape.getShape();
        outShape[outShape.length - 1] = w.rows();
        NDArray out = x.getManager().create(y, new Shape(outShape));
        if (bias == null) {
            return out;
        }
        NDArray withBias = out.add(bias);
        out.close();
        return withBias;
    }

    /** Rows {@code ids [B, T]} of an embedding table {@code [vocab, hidden]}: float32 {@code [B, T, hidden]}. */
    public static NDArray embedding(HalfKernels kernels, long[][] ids, WeightMatrix table, NDManager manager) {
        int b = ids.length;
        int t = b == 0 ? 0 : ids[0].length;
        int[] flat = new int[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                long id = ids[i][j];
                if (id < 0 || id >= table.rows()) {
                    throw new ModelException("token id " + id + " at row " + i + ", column " + j
                            + " is outside the vocabulary (size " + table.rows() + ")");
                }
                flat[i * t + j] = (int) id;
            }
        }
        return manager.create(kernels.gatherRows(table, flat), new Shape(b, t, table.cols()));
    }
}

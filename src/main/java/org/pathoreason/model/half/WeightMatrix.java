package org.pathoreason.model.half;

import org.pathoreason.model.io.DType;

/**
 * A weight matrix {@code [rows, cols]}, row-major, kept in its stored element type (BF16, F16 or F32) outside the
 * Java heap: a slice of a memory-mapped safetensors file or an off-heap copy. Made and read only by the
 * {@link HalfKernels} that created it.
 */
public abstract class WeightMatrix {

    private final String name;
    private final DType dtype;
    private final int rows;
    private final int cols;

    protected WeightMatrix(String name, DType dtype, int rows, int cols) {
        this.name = name;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
    }

    /** The tensor's name (for error messages). */
    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    /** Output features: the matrix's first dimension. */
    public int rows() {
        return rows;
    }

    /** Input features: the matrix's second dimension. */
    public int cols() {
        return cols;
    }

    /** Bytes of weights: what one full product reads. */
    public long byteSize() {
        return (long) rows * cols * dtype.byteSize();
    }

    @Override
    public String toString() {
        return name + " " + dtype.safetensorsName() + "[" + rows + ", " + cols + "]";
    }
}

package org.pathoreason.model.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name      tensor name
 * @param dtype     element type
 * @param shape     dimensions (empty for a scalar)
 * @param dataStart first byte, relative to the start of the file's data section (as in the header's
 *                  {@code data_offsets})
 * @param dataEnd   one past the last byte, relative to the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long dataStart, long dataEnd) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public long numElements() {
        return elementCount(shape);
    }

    /** Bytes the tensor occupies: {@code dataEnd - dataStart}. */
    public long byteLength() {
        return dataEnd - dataStart;
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && dataStart == t.dataStart && dataEnd == t.dataEnd;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), dataStart, dataEnd);
    }

    @Override
    public String toString() {
        return name + " " + dtype.safetensorsName() + Arrays.toString(shape) + " @[" + dataStart + ", " + dataEnd
                + ")";
    }
}

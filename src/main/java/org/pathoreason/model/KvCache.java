package org.pathoreason.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * A preallocated key/value cache for batched decoding: per layer one key and one value array of shape
 * {@code [batch, kvHeads, capacity, headDim]}, written in place step by step (no concatenation). It also keeps,
 * on the host, the attention mask over its columns and each row's rotary position offset.
 *
 * <p>Rows are left-padded, so that every row writes the same column at each step. Close the cache (or its
 * manager) when generation ends.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int batch;
    private final int capacity;
    private final int[][] mask;
    private final long[] positionOffsets;
    private int length;

    /**
     * Allocates the cache in a sub-manager of {@code parent}.
     *
     * @param layers decoder layers
     * @param batch rows
     * @param kvHeads key/value heads per layer
     * @param capacity most columns (prompt plus generated tokens)
     * @param headDim width of one head
     */
    public KvCache(int layers, int batch, int kvHeads, int capacity, int headDim, NDManager parent) {
        if (batch <= 0 || capacity <= 0) {
            throw new ModelException("cache needs batch > 0 and capacity > 0, got " + batch + " and " + capacity);
        }
        this.manager = parent.newSubManager();
        this.batch = batch;
        this.capacity = capacity;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        Shape shape = new Shape(batch, kvHeads, capacity, headDim);
        for (int l = 0; l < layers; l++) {
            keys[l] = manager.zeros(shape, DataType.FLOAT32);
            values[l] = manager.zeros(shape, DataType.FLOAT32);
        }
        this.mask = new int[batch][capacity];
        this.positionOffsets = new long[batch];
    }

    public int batch() {
        return batch;
    }

    public int capacity() {
        return capacity;
    }

    /** Columns filled so far. */
    public int length() {
        return length;
    }

    /** Key array of a layer, {@code [batch, kvHeads, capacity, headDim]}. */
    public NDArray keys(int layer) {
        return keys[layer];
    }

    /** Value array of a layer, {@code [batch, kvHeads, capacity, headDim]}. */
    public NDArray values(int layer) {
        return values[layer];
    }

    /** Attention mask over the cache columns (1 real, 0 padding); only the first {@link #length()} count. */
    public int[][] mask() {
        return mask;
    }

    /** Per row, the rotary position of column {@code c} is {@code c + offset} for tokens after the prompt. */
    public long[] positionOffsets() {
        return positionOffsets;
    }

    /**
     * Records that {@code columns} more columns were written, with their mask values.
     *
     * @param columnMask per row, the mask of the new columns
     */
    public void advance(int[][] columnMask) {
        int n = columnMask[0].length;
        if (length + n > capacity) {
            throw new ModelException("KV cache full: " + length + " + " + n + " columns exceed capacity " + capacity);
        }
        for (int b = 0; b < batch; b++) {
            System.arraycopy(columnMask[b], 0, mask[b], length, n);
        }
        length += n;
    }

    /** Forgets the contents (the arrays are reused). */
    public void reset() {
        length = 0;
        for (int[] row : mask) {
            Arrays.fill(row, 0);
        }
        Arrays.fill(positionOffsets, 0);
    }

    @Override
    public void close() {
        manager.close();
    }
}

package org.pathoreason.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

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

    /**
     * Rows of a cache, in the order they are to appear in a {@link #merge}d cache.
     *
     * @param rows row indices into {@code cache}
     */
    public record Rows(KvCache cache, int[] rows) {
    }

    /**
     * A new cache holding the given rows of one or more caches (in order), as continuous batching needs when
     * sequences join or leave a running batch. Rows are right-aligned at a common length, so that the next decode
     * step writes one column for all of them: columns that are padding in every chosen row of a part are dropped,
     * a shorter part gets padding columns on its left, and each row's rotary offset is shifted by as many columns
     * as the row moved, so that its next position is unchanged. Keys, values and mask of real columns are copied
     * as they are; the sources stay open.
     *
     * @param extraColumns free columns after the common length, for the steps to come
     * @param parent manager of the new cache
     */
    public static KvCache merge(List<Rows> parts, int extraColumns, NDManager parent) {
        if (parts.isEmpty()) {
            throw new ModelException("merge needs at least one part");
        }
        KvCache first = parts.get(0).cache();
        int layers = first.keys.length;
        Shape shape = first.keys[0].getShape();
        int batch = 0;
        int length = 0;
        int[] firstReal = new int[parts.size()];
        for (int p = 0; p < parts.size(); p++) {
            Rows part = parts.get(p);
            KvCache c = part.cache();
            if (c.keys.length != layers || c.keys[0].getShape().get(1) != shape.get(1)
                    || c.keys[0].getShape().get(3) != shape.get(3)) {
                throw new ModelException("merge needs caches of one model: part " + p + " has another shape");
            }
            int f = c.length;
            for (int r : part.rows()) {
                if (r < 0 || r >= c.batch) {
                    throw new ModelException("merge: row " + r + " is outside part " + p + " (" + c.batch + " rows)");
                }
                for (int col = 0; col < f; col++) {
                    if (c.mask[r][col] == 1) {
                        f = col;
                        break;
                    }
                }
            }
            firstReal[p] = f;
            batch += part.rows().length;
            length = Math.max(length, c.length - f);
        }
        if (batch == 0) {
            throw new ModelException("merge needs at least one row");
        }
        KvCache out = new KvCache(layers, batch, (int) shape.get(1), length + Math.max(1, extraColumns),
                (int) shape.get(3), parent);
        int[][] columns = new int[batch][length];
        int at = 0;
        for (int p = 0; p < parts.size(); p++) {
            KvCache c = parts.get(p).cache();
            int[] rows = parts.get(p).rows();
            int f = firstReal[p];
            int width = c.length - f;
            int to = length - width;
            // runs of consecutive rows are copied with one slice per layer
            for (int i = 0; i < rows.length; ) {
                int j = i + 1;
                while (j < rows.length && rows[j] == rows[j - 1] + 1) {
                    j++;
                }
                if (width > 0) {
                    NDIndex src = new NDIndex("{}:{}, :, {}:{}", rows[i], rows[j - 1] + 1, f, c.length);
                    NDIndex dst = new NDIndex("{}:{}, :, {}:{}", at + i, at + j, to, length);
                    for (int l = 0; l < layers; l++) {
                        try (NDArray k = c.keys[l].get(src); NDArray v = c.values[l].get(src)) {
                            out.keys[l].set(dst, k);
                            out.values[l].set(dst, v);
                        }
                    }
                }
                i = j;
            }
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(c.mask[rows[i]], f, columns[at + i], to, width);
                out.positionOffsets[at + i] = c.positionOffsets[rows[i]] - (to - f);
            }
            at += rows.length;
        }
        if (length > 0) {
            out.advance(columns);
        }
        return out;
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

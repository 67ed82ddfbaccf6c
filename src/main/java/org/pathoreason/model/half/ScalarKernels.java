package org.pathoreason.model.half;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.HalfFloats;
import org.pathoreason.model.io.SafetensorsException;

/**
 * The plain Java kernels (any Java 17+): the same products as the Vector API ones, one element at a time. Each matrix
 * is its own mapped {@link ByteBuffer}, so one tensor may not exceed 2 GiB here.
 */
public final class ScalarKernels extends HalfKernels {

    public ScalarKernels(int threads) {
        super(threads);
    }

    @Override
    public String description() {
        return "plain Java fallback (scalar), " + threads() + " thread(s)";
    }

    private static final class Matrix extends WeightMatrix {
        final ByteBuffer data;

        Matrix(String name, DType dtype, int rows, int cols, ByteBuffer data) {
            super(name, dtype, rows, cols);
            this.data = data.order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    @Override
    public MappedFile map(Path file) {
        FileChannel ch;
        long size;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            size = ch.size();
        } catch (IOException e) {
            throw new SafetensorsException(file + ": cannot map: " + e, e);
        }
        return new MappedFile() {
            @Override
            public Path path() {
                return file;
            }

            @Override
            public WeightMatrix matrix(String name, DType dtype, long byteOffset, int rows, int cols) {
                checkFloating(file, name, dtype);
                long bytes = (long) rows * cols * dtype.byteSize();
                checkRange(file, name, byteOffset, bytes, size);
                if (bytes > Integer.MAX_VALUE) {
                    throw new ModelException(file + ": tensor '" + name + "' is " + bytes + " bytes; the plain Java "
                            + "kernels map at most 2 GiB per tensor (run on Java 25 for the Vector API kernels)");
                }
                try {
                    return new Matrix(name, dtype, rows, cols, ch.map(FileChannel.MapMode.READ_ONLY, byteOffset, bytes));
                } catch (IOException e) {
                    throw new SafetensorsException(file + ": cannot map tensor '" + name + "': " + e, e);
                }
            }

            @Override
            public void close() {
                try {
                    ch.close();
                } catch (IOException e) {
                    // read-only channel: nothing to flush; the mappings stay valid until collected
                }
            }
        };
    }

    @Override
    public WeightMatrix copyOf(String name, DType dtype, int rows, int cols, ByteBuffer littleEndian) {
        checkFloating(null, name, dtype);
        long bytes = (long) rows * cols * dtype.byteSize();
        if (littleEndian.remaining() != bytes) {
            throw new IllegalArgumentException(name + ": " + littleEndian.remaining() + " bytes for " + bytes);
        }
        ByteBuffer copy = ByteBuffer.allocateDirect((int) bytes);
        copy.put(littleEndian.duplicate()).flip();
        return new Matrix(name, dtype, rows, cols, copy);
    }

    private static float element(ByteBuffer b, DType t, int index) {
        switch (t) {
            case BF16:
                return Float.intBitsToFloat(b.getShort(index * 2) << 16);
            case F16:
                return HalfFloats.f16ToFloat(b.getShort(index * 2));
            default:
                return b.getFloat(index * 4);
        }
    }

    @Override
    protected void product(float[] x, int rows, WeightMatrix w, float[] y, int from, int to) {
        ByteBuffer b = ((Matrix) w).data;
        DType t = w.dtype();
        int in = w.cols();
        int out = w.rows();
        for (int r = 0; r < rows; r++) {
            int xo = r * in;
            for (int j = from; j < to; j++) {
                int wo = j * in;
                float acc = 0f;
                for (int k = 0; k < in; k++) {
                    acc = Math.fma(x[xo + k], element(b, t, wo + k), acc);
                }
                y[r * out + j] = acc;
            }
        }
    }

    @Override
    public void readRow(WeightMatrix w, int row, float[] dst, int off) {
        ByteBuffer b = ((Matrix) w).data;
        int in = w.cols();
        for (int k = 0; k < in; k++) {
            dst[off + k] = element(b, w.dtype(), row * in + k);
        }
    }

    @Override
    public double readBandwidth(long bytes, int repeats) {
        int n = threads();
        int share = (int) Math.min(Integer.MAX_VALUE - 64, (bytes / n) & ~63L);
        ByteBuffer[] parts = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            parts[i] = ByteBuffer.allocateDirect(share).order(ByteOrder.nativeOrder());
            for (int p = 0; p < share; p += 4096) {
                parts[i].put(p, (byte) 1);
            }
        }
        double best = 0;
        long[] sink = new long[n];
        for (int rep = 0; rep < Math.max(1, repeats); rep++) {
            long t0 = System.nanoTime();
            parallelFor(n, i -> {
                java.nio.LongBuffer l = parts[i].asLongBuffer();
                long s = 0;
                for (int p = 0, e = l.limit(); p < e; p++) {
                    s += l.get(p);
                }
                sink[i] += s;
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, (double) share * n / seconds);
        }
        return sink[0] == Long.MIN_VALUE ? 0 : best;
    }
}

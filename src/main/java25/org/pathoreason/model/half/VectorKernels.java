package org.pathoreason.model.half;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.HalfFloats;
import org.pathoreason.model.io.SafetensorsException;

/**
 * The Java Vector API kernels (Java 25, {@code --add-modules jdk.incubator.vector}) over FFM memory segments: a
 * vector of 16-bit weights is loaded, widened to float32 in registers (BF16: shift left by 16; F16: exponent rebias
 * by a multiply) and fused-multiply-added into float32 accumulators, one per activation row of a block.
 */
public final class VectorKernels extends HalfKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class,
            VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public VectorKernels(int threads) {
        super(threads);
    }

    @Override
    public String description() {
        return "Java Vector API, " + F.vectorBitSize() + "-bit (" + LANES + " floats), " + threads() + " thread(s)";
    }

    private static final class Matrix extends WeightMatrix {
        final MemorySegment data;

        Matrix(String name, DType dtype, int rows, int cols, MemorySegment data) {
            super(name, dtype, rows, cols);
            this.data = data;
        }
    }

    @Override
    public MappedFile map(Path file) {
        Arena arena = Arena.ofShared();
        MemorySegment whole;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            arena.close();
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
                checkRange(file, name, byteOffset, bytes, whole.byteSize());
                return new Matrix(name, dtype, rows, cols, whole.asSlice(byteOffset, bytes));
            }

            @Override
            public void close() {
                arena.close();
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
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(1, bytes), 64);
        seg.asSlice(0, bytes).copyFrom(MemorySegment.ofBuffer(littleEndian.duplicate()));
        return new Matrix(name, dtype, rows, cols, seg.asSlice(0, bytes));
    }

    /** {@link #LANES} BF16 values at {@code byteOffset}, widened. */
    private static FloatVector bf16(MemorySegment m, long byteOffset) {
        ShortVector s = ShortVector.fromMemorySegment(S, m, byteOffset, ByteOrder.LITTLE_ENDIAN);
        IntVector i = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        return i.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** {@link #LANES} F16 values, widened exactly (subnormals, infinities and NaN included). */
    private static FloatVector f16(MemorySegment m, long byteOffset) {
        ShortVector s = ShortVector.fromMemorySegment(S, m, byteOffset, ByteOrder.LITTLE_ENDIAN);
        IntVector h = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector magnitude = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        // exponent field moved into float's low exponent bits: value * 2^-112; the multiply rebiases it (exact)
        IntVector finite = magnitude.reinterpretAsFloats().mul(0x1.0p112f).reinterpretAsInts();
        VectorMask<Integer> special = h.and(0x7c00).compare(VectorOperators.EQ, 0x7c00);
        IntVector bits = finite.blend(magnitude.or(0x7f800000), special).or(sign);
        return bits.reinterpretAsFloats();
    }

    private static FloatVector f32(MemorySegment m, long byteOffset) {
        return FloatVector.fromMemorySegment(F, m, byteOffset, ByteOrder.LITTLE_ENDIAN);
    }

    private static FloatVector load(DType t, MemorySegment m, long byteOffset) {
        switch (t) {
            case BF16:
                return bf16(m, byteOffset);
            case F16:
                return f16(m, byteOffset);
            default:
                return f32(m, byteOffset);
        }
    }

    private static float element(DType t, MemorySegment m, long index) {
        switch (t) {
            case BF16:
                return Float.intBitsToFloat(m.getAtIndex(SHORT, index) << 16);
            case F16:
                return HalfFloats.f16ToFloat(m.getAtIndex(SHORT, index));
            default:
                return m.getAtIndex(FLOAT, index);
        }
    }

    @Override
    protected void product(float[] x, int rows, WeightMatrix w, float[] y, int from, int to) {
        MemorySegment m = ((Matrix) w).data;
        DType t = w.dtype();
        int in = w.cols();
        int out = w.rows();
        int size = t.byteSize();
        int bound = F.loopBound(in);
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int x0 = r * in;
            int x1 = x0 + in;
            int x2 = x1 + in;
            int x3 = x2 + in;
            for (int j = from; j < to; j++) {
                long wo = (long) j * in;
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                FloatVector a2 = FloatVector.zero(F);
                FloatVector a3 = FloatVector.zero(F);
                int k = 0;
                for (; k < bound; k += LANES) {
                    FloatVector wv = load(t, m, (wo + k) * size);
                    a0 = FloatVector.fromArray(F, x, x0 + k).fma(wv, a0);
                    a1 = FloatVector.fromArray(F, x, x1 + k).fma(wv, a1);
                    a2 = FloatVector.fromArray(F, x, x2 + k).fma(wv, a2);
                    a3 = FloatVector.fromArray(F, x, x3 + k).fma(wv, a3);
                }
                float s0 = a0.reduceLanes(VectorOperators.ADD);
                float s1 = a1.reduceLanes(VectorOperators.ADD);
                float s2 = a2.reduceLanes(VectorOperators.ADD);
                float s3 = a3.reduceLanes(VectorOperators.ADD);
                for (; k < in; k++) {
                    float wk = element(t, m, wo + k);
                    s0 = Math.fma(x[x0 + k], wk, s0);
                    s1 = Math.fma(x[x1 + k], wk, s1);
                    s2 = Math.fma(x[x2 + k], wk, s2);
                    s3 = Math.fma(x[x3 + k], wk, s3);
                }
                y[r * out + j] = s0;
                y[(r + 1) * out + j] = s1;
                y[(r + 2) * out + j] = s2;
                y[(r + 3) * out + j] = s3;
            }
        }
        for (; r < rows; r++) {
            int x0 = r * in;
            for (int j = from; j < to; j++) {
                y[r * out + j] = t == DType.BF16 ? dotBf16(x, x0, m, (long) j * in, in, bound)
                        : dot(t, x, x0, m, (long) j * in, in, bound);
            }
        }
    }

    /** One row (decode): BF16 without the per-vector type switch, four accumulators to hide the FMA latency. */
    private static float dotBf16(float[] x, int x0, MemorySegment m, long wo, int in, int bound) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        long base = wo * 2;
        int k = 0;
        for (; k + 4 * LANES <= bound; k += 4 * LANES) {
            long b = base + 2L * k;
            a0 = FloatVector.fromArray(F, x, x0 + k).fma(bf16(m, b), a0);
            a1 = FloatVector.fromArray(F, x, x0 + k + LANES).fma(bf16(m, b + 2L * LANES), a1);
            a2 = FloatVector.fromArray(F, x, x0 + k + 2 * LANES).fma(bf16(m, b + 4L * LANES), a2);
            a3 = FloatVector.fromArray(F, x, x0 + k + 3 * LANES).fma(bf16(m, b + 6L * LANES), a3);
        }
        for (; k < bound; k += LANES) {
            a0 = FloatVector.fromArray(F, x, x0 + k).fma(bf16(m, base + 2L * k), a0);
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; k < in; k++) {
            s = Math.fma(x[x0 + k], Float.intBitsToFloat(m.getAtIndex(SHORT, wo + k) << 16), s);
        }
        return s;
    }

    private static float dot(DType t, float[] x, int x0, MemorySegment m, long wo, int in, int bound) {
        int size = t.byteSize();
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int k = 0;
        for (; k + 2 * LANES <= bound; k += 2 * LANES) {
            a0 = FloatVector.fromArray(F, x, x0 + k).fma(load(t, m, (wo + k) * size), a0);
            a1 = FloatVector.fromArray(F, x, x0 + k + LANES).fma(load(t, m, (wo + k + LANES) * size), a1);
        }
        for (; k < bound; k += LANES) {
            a0 = FloatVector.fromArray(F, x, x0 + k).fma(load(t, m, (wo + k) * size), a0);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; k < in; k++) {
            s = Math.fma(x[x0 + k], element(t, m, wo + k), s);
        }
        return s;
    }

    @Override
    public void readRow(WeightMatrix w, int row, float[] dst, int off) {
        MemorySegment m = ((Matrix) w).data;
        DType t = w.dtype();
        int in = w.cols();
        long wo = (long) row * in;
        int bound = F.loopBound(in);
        int k = 0;
        for (; k < bound; k += LANES) {
            load(t, m, (wo + k) * t.byteSize()).intoArray(dst, off + k);
        }
        for (; k < in; k++) {
            dst[off + k] = element(t, m, wo + k);
        }
    }

    @Override
    public double readBandwidth(long bytes, int repeats) {
        int n = threads();
        long share = (bytes / n) & ~63L;
        MemorySegment[] parts = new MemorySegment[n];
        Arena arena = Arena.ofAuto();
        for (int i = 0; i < n; i++) {
            parts[i] = arena.allocate(share, 64);
            parts[i].fill((byte) 1);
        }
        long[] sink = new long[n];
        double best = 0;
        long step = L.vectorByteSize();
        for (int rep = 0; rep < Math.max(1, repeats); rep++) {
            long t0 = System.nanoTime();
            parallelFor(n, i -> {
                MemorySegment p = parts[i];
                LongVector a = LongVector.zero(L);
                LongVector b = LongVector.zero(L);
                long e = share - 2 * step;
                long o = 0;
                for (; o <= e; o += 2 * step) {
                    a = a.add(LongVector.fromMemorySegment(L, p, o, ByteOrder.nativeOrder()));
                    b = b.add(LongVector.fromMemorySegment(L, p, o + step, ByteOrder.nativeOrder()));
                }
                sink[i] += a.add(b).reduceLanes(VectorOperators.ADD);
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, (double) share * n / seconds);
        }
        return sink[0] == Long.MIN_VALUE ? 0 : best;
    }
}

package org.pathoreason.model.half;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.HalfFloats;
import org.pathoreason.model.io.SafetensorsException;
import org.pathoreason.model.io.SafetensorsWriter;

/**
 * Both kernel implementations against a float64 reference on the same (16-bit-rounded) weights. Bound: the float32
 * accumulation error, |y - ref| <= 1e-5 * sum_k |x_k w_k| + 1e-30 (in <= 1100 here; the observed error is far
 * smaller). The Vector API case runs when the JVM is Java 25 with jdk.incubator.vector (as under .ci/run); on
 * Java 17 it is skipped with the reason.
 */
class HalfKernelsTest {

    static Stream<HalfKernels> kernels() {
        List<HalfKernels> out = new ArrayList<>();
        out.add(HalfKernels.create(HalfKernels.Choice.SCALAR, 2));
        out.add(HalfKernels.create(HalfKernels.Choice.SCALAR, 1));
        if (HalfKernels.vectorUnavailableReason() == null) {
            out.add(HalfKernels.create(HalfKernels.Choice.VECTOR, 2));
            out.add(HalfKernels.create(HalfKernels.Choice.VECTOR, 1));
        }
        return out.stream();
    }

    static HalfKernels vectorOrSkip() {
        String reason = HalfKernels.vectorUnavailableReason();
        Assumptions.assumeTrue(reason == null, reason);
        return HalfKernels.create(HalfKernels.Choice.VECTOR, 2);
    }

    /** rows x out x in: 1 x 1, sizes below, at and just past vector lengths, decode and prefill shapes. */
    static final int[][] SHAPES = {
        {1, 1, 1}, {3, 17, 17}, {1, 7, 8}, {2, 9, 16}, {5, 33, 31}, {4, 8, 64}, {9, 13, 257}, {1, 300, 1100},
        {13, 70, 96}, {8, 129, 33}
    };

    static ByteBuffer encode(DType t, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (t) {
                case BF16 -> b.putShort(HalfFloats.floatToBf16(v));
                case F16 -> b.putShort(HalfFloats.floatToF16(v));
                default -> b.putFloat(v);
            }
        }
        return b.flip();
    }

    static float widen(DType t, float v) {
        return switch (t) {
            case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v));
            case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(v));
            default -> v;
        };
    }

    static void assertProduct(HalfKernels k, DType t, int rows, int out, int in, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian() * 0.5f;
        }
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        WeightMatrix m = k.copyOf("w", t, out, in, encode(t, w));
        float[] y = new float[rows * out];
        java.util.Arrays.fill(y, Float.NaN);
        k.matmul(x, rows, m, y);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double ref = 0;
                double abs = 0;
                for (int c = 0; c < in; c++) {
                    double p = (double) x[r * in + c] * widen(t, w[j * in + c]);
                    ref += p;
                    abs += Math.abs(p);
                }
                assertThat((double) y[r * out + j]).as("%s %s y[%d, %d] of %dx%dx%d", k.description(), t, r, j,
                        rows, out, in).isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-5 * abs + 1e-30));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void productsMatchTheFloat64ReferenceOnOddShapes(HalfKernels k) {
        long seed = 1;
        for (DType t : new DType[] {DType.BF16, DType.F16, DType.F32}) {
            for (int[] s : SHAPES) {
                assertProduct(k, t, s[0], s[1], s[2], seed++);
            }
        }
    }

    @Test
    void vectorAndScalarKernelsAgree() {
        HalfKernels v = vectorOrSkip();
        HalfKernels s = HalfKernels.create(HalfKernels.Choice.SCALAR, 1);
        Random rnd = new Random(7);
        int rows = 6;
        int out = 37;
        int in = 203;
        float[] w = new float[out * in];
        float[] x = new float[rows * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        for (DType t : new DType[] {DType.BF16, DType.F16}) {
            float[] yv = new float[rows * out];
            float[] ys = new float[rows * out];
            v.matmul(x, rows, v.copyOf("w", t, out, in, encode(t, w)), yv);
            s.matmul(x, rows, s.copyOf("w", t, out, in, encode(t, w)), ys);
            for (int i = 0; i < yv.length; i++) {
                assertThat(yv[i]).isCloseTo(ys[i], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(ys[i]))));
            }
        }
    }

    /** Every one of the 65,536 bit patterns widens exactly as HalfFloats does (subnormals, infinities, NaN). */
    @ParameterizedTest
    @MethodSource("kernels")
    void everySixteenBitPatternWidensExactly(HalfKernels k) {
        ByteBuffer all = ByteBuffer.allocate(2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            all.putShort((short) i);
        }
        all.flip();
        for (DType t : new DType[] {DType.BF16, DType.F16}) {
            WeightMatrix m = k.copyOf("all", t, 1, 65536, all);
            float[] row = k.gatherRows(m, new int[] {0});
            for (int i = 0; i < 65536; i++) {
                float expected = t == DType.BF16 ? HalfFloats.bf16ToFloat((short) i) : HalfFloats.f16ToFloat((short) i);
                if (Float.isNaN(expected)) {
                    assertThat(row[i]).as("%s pattern %04x", t, i).isNaN();
                } else {
                    assertThat(Float.floatToRawIntBits(row[i])).as("%s pattern %04x", t, i)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void mappedSafetensorsMatricesAreTheStoredValues(HalfKernels k, @TempDir Path dir) throws Exception {
        Random rnd = new Random(3);
        float[] w = new float[5 * 19];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().put("a.weight", DType.BF16, new long[] {5, 19}, w)
                .put("b.weight", DType.F16, new long[] {5, 19}, w)
                .put("c.weight", DType.F32, new long[] {5, 19}, w)
                .put("norm", DType.F32, new long[] {19}, new float[19])
                .put("ids", new long[] {1, 2}, new long[] {1, 2}).write(file);
        try (MappedWeights mw = MappedWeights.open(file, k)) {
            for (String name : new String[] {"a.weight", "b.weight", "c.weight"}) {
                WeightMatrix m = mw.matrix(name);
                assertThat(m.rows()).isEqualTo(5);
                assertThat(m.cols()).isEqualTo(19);
                float[] got = k.gatherRows(m, new int[] {0, 1, 2, 3, 4});
                for (int i = 0; i < w.length; i++) {
                    assertThat(got[i]).isEqualTo(widen(m.dtype(), w[i]));
                }
                float[] x = new float[19];
                x[4] = 1f;
                float[] y = new float[5];
                k.matmul(x, 1, m, y);
                assertThat(y[2]).isEqualTo(widen(m.dtype(), w[2 * 19 + 4]));
            }
            assertThatThrownBy(() -> mw.matrix("norm")).isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'norm'").hasMessageContaining("2-D");
            assertThatThrownBy(() -> mw.matrix("ids")).isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining("'ids'").hasMessageContaining("I64");
            assertThatThrownBy(() -> mw.matrix("nope")).isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining("'nope'");
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void aRangeOutsideTheFileNamesFileAndTensor(HalfKernels k, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.bin");
        Files.write(file, new byte[100]);
        try (MappedFile f = k.map(file)) {
            assertThatThrownBy(() -> f.matrix("big.weight", DType.BF16, 10, 10, 10))
                    .isInstanceOf(SafetensorsException.class).hasMessageContaining(file.toString())
                    .hasMessageContaining("'big.weight'");
        }
        assertThatThrownBy(() -> MappedWeights.open(file, k)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void theChoiceIsReadFromTheSystemProperty() {
        String old = System.getProperty(HalfKernels.PROPERTY);
        try {
            System.setProperty(HalfKernels.PROPERTY, "scalar");
            assertThat(HalfKernels.choiceProperty()).isEqualTo(HalfKernels.Choice.SCALAR);
            System.setProperty(HalfKernels.PROPERTY, "fast");
            assertThatThrownBy(HalfKernels::choiceProperty).hasMessageContaining("auto, vector or scalar");
        } finally {
            if (old == null) {
                System.clearProperty(HalfKernels.PROPERTY);
            } else {
                System.setProperty(HalfKernels.PROPERTY, old);
            }
        }
        if (HalfKernels.vectorUnavailableReason() != null) {
            assertThat(HalfKernels.create(HalfKernels.Choice.AUTO, 1)).isInstanceOf(ScalarKernels.class);
            assertThatThrownBy(() -> HalfKernels.create(HalfKernels.Choice.VECTOR, 1))
                    .hasMessageContaining(HalfKernels.vectorUnavailableReason());
        } else {
            assertThat(HalfKernels.create(HalfKernels.Choice.AUTO, 1).getClass().getSimpleName())
                    .isEqualTo("VectorKernels");
        }
    }
}

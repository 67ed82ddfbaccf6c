package org.pathoreason.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;

/** The writer encodes tensors while writing, a buffer at a time; tensors here span many buffers. */
class SafetensorsWriterStreamingTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void engine() {
        Engines.start();
    }

    private static float[] floats(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i * 0.001) * scale + i * 1e-3f;
        }
        return v;
    }

    private static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void severalLargeTensorsAreWrittenInTheReferenceOrderByteForByte() throws IOException {
        float[] f32 = floats(100_003, 3f); // 400 kB: several staging buffers, ending mid-buffer
        float[] bf16 = floats(50_001, -7f);
        float[] f16 = floats(40_000, 100f);
        long[] i64 = new long[20_001];
        for (int i = 0; i < i64.length; i++) {
            i64[i] = (long) i * 0x0102030405L - (1L << 40);
        }
        byte[] u8 = new byte[70_001];
        for (int i = 0; i < u8.length; i++) {
            u8[i] = (byte) (i * 31);
        }
        ByteBuffer i32 = le(4 * 30_000);
        for (int i = 0; i < 30_000; i++) {
            i32.putInt(i * -977);
        }
        Path source = dir.resolve("source.safetensors");
        new SafetensorsWriter().put("copied", DType.BF16, new long[] {bf16.length}, bf16).write(source);

        Path file = dir.resolve("model.safetensors");
        try (NDManager m = Engines.newManager();
             SafetensorsReader src = SafetensorsReader.open(source)) {
            NDArray half = m.create(f16, new Shape(200, 200)).toType(DataType.FLOAT16, false);
            new SafetensorsWriter()
                    .metadata(java.util.Map.of("format", "pt"))
                    .put("b.f32", DType.F32, new long[] {f32.length}, f32)
                    .put("a.bf16", DType.BF16, new long[] {bf16.length}, bf16)
                    .put("nd.f16", half)
                    .put("nd.i64", m.create(i64))
                    .put("u8", new long[] {u8.length}, u8)
                    .putRaw("raw.i32", DType.I32, new long[] {30_000}, i32.array())
                    .copy(src, "copied")
                    .write(file);
        }

        // the data section, built independently in the reference order: dtype (I64, F32, I32, BF16, F16, U8),
        // then name
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ByteBuffer b = le(i64.length * 8);
        Arrays.stream(i64).forEach(b::putLong);
        expected.write(b.array());
        b = le(f32.length * 4);
        for (float v : f32) {
            b.putFloat(v);
        }
        expected.write(b.array());
        expected.write(i32.array());
        b = le(bf16.length * 2);
        for (float v : bf16) {
            b.putShort(HalfFloats.floatToBf16(v));
        }
        expected.write(b.array()); // a.bf16
        expected.write(b.array()); // copied, the same values
        b = le(f16.length * 2);
        for (float v : f16) {
            b.putShort(HalfFloats.floatToF16(v));
        }
        expected.write(b.array());
        expected.write(u8);

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        byte[] data = Arrays.copyOfRange(bytes, (int) (8 + headerLength), bytes.length);
        assertThat(data.length).isEqualTo(expected.size());
        assertThat(Arrays.mismatch(data, expected.toByteArray())).isEqualTo(-1);

        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThat(r.names()).containsExactlyInAnyOrder("b.f32", "a.bf16", "nd.f16", "nd.i64", "u8", "raw.i32",
                    "copied");
            assertThat(r.metadata()).containsEntry("format", "pt");
            assertThat(r.readFloats("b.f32")).containsExactly(f32);
            assertThat(r.readLongs("nd.i64")).containsExactly(i64);
            assertThat(r.info("nd.f16").dtype()).isEqualTo(DType.F16);
            assertThat(r.info("nd.f16").shape()).containsExactly(200, 200);
            assertThat(r.readBytes("u8")).containsExactly(u8);
            assertThat(r.readBytes("copied")).containsExactly(r.readBytes("a.bf16"));
        }
    }

    @Test
    void writingTwiceGivesTheSameBytes() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter()
                .put("x", DType.BF16, new long[] {3, 30_000}, floats(90_000, 2f))
                .put("y", new long[] {5}, new int[] {1, 2, 3, 4, 5});
        w.write(dir.resolve("one.safetensors"));
        w.write(dir.resolve("two.safetensors"));
        assertThat(Files.readAllBytes(dir.resolve("two.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("one.safetensors")));
    }

    @Test
    void valuesAreReadAtWriteTimeNotCopiedAtPut() throws IOException {
        float[] values = {1f, 2f};
        SafetensorsWriter w = new SafetensorsWriter().put("w", DType.F32, new long[] {2}, values);
        values[1] = 5f; // the writer holds no copy: this is what gets written
        Path file = dir.resolve("late.safetensors");
        w.write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThat(r.readFloats("w")).containsExactly(1f, 5f);
        }
    }

    @Test
    void anNDArrayClosedBeforeTheWriteIsAClearErrorAndLeavesNoFile() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        try (NDManager m = Engines.newManager()) {
            w.put("gone", DType.BF16, m.create(new float[] {1f, 2f}));
        }
        Path file = dir.resolve("never.safetensors");
        assertThatThrownBy(() -> w.write(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'gone'").hasMessageContaining("closed before the writer wrote it");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).isEmpty();
        }
    }
}

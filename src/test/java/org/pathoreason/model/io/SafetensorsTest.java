package org.pathoreason.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static final float[] BF16_EXACT = {0f, 1f, -2.5f, 0.15625f, 0x1.fep127f, 0x1p-133f,
        -0f, 1032f, Float.POSITIVE_INFINITY};
    private static final float[] F16_EXACT = {0f, 1f, -2.5f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, -0f,
        Float.NEGATIVE_INFINITY, 0.333251953125f};

    @Test
    void roundTripsEveryDtype() throws IOException {
        float[] f32 = {0f, -1.5f, 3.1415927f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
        long[] i64 = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 1L << 40};
        int[] i32 = {Integer.MIN_VALUE, -7, 0, 42, Integer.MAX_VALUE, 65536};
        byte[] u8 = {0, 1, 127, (byte) 128, (byte) 255, 9};
        boolean[] bool = {true, false, false, true, true, false};
        Path file = dir.resolve("all.safetensors");
        new SafetensorsWriter()
                .metadata(Map.of("format", "pt"))
                .put("f32", DType.F32, new long[] {2, 3}, f32)
                .put("f16", DType.F16, new long[] {F16_EXACT.length}, F16_EXACT)
                .put("bf16", DType.BF16, new long[] {BF16_EXACT.length}, BF16_EXACT)
                .put("i64", new long[] {3, 2}, i64)
                .put("i32", new long[] {6}, i32)
                .put("u8", new long[] {1, 6}, u8)
                .put("bool", new long[] {6}, bool)
                .put("scalar", DType.F32, new long[] {}, new float[] {7f})
                .put("empty", DType.F32, new long[] {0, 4}, new float[0])
                .write(file);

        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThat(r.metadata()).containsExactly(Map.entry("format", "pt"));
            assertThat(r.names()).containsExactlyInAnyOrder("f32", "f16", "bf16", "i64", "i32", "u8", "bool",
                    "scalar", "empty");
            assertThat(r.readFloats("f32")).containsExactly(f32);
            assertThat(r.info("f32").shape()).containsExactly(2, 3);
            assertThat(r.info("f32").dtype()).isEqualTo(DType.F32);
            assertThat(r.readFloats("f16")).containsExactly(F16_EXACT);
            assertThat(r.readFloats("bf16")).containsExactly(BF16_EXACT);
            assertThat(r.info("bf16").byteLength()).isEqualTo(2L * BF16_EXACT.length);
            assertThat(r.readLongs("i64")).containsExactly(i64);
            assertThat(r.readInts("i32")).containsExactly(i32);
            assertThat(r.readLongs("i32")).containsExactly(Arrays.stream(i32).asLongStream().toArray());
            assertThat(r.readBytes("u8")).containsExactly(u8);
            assertThat(r.readInts("u8")).containsExactly(0, 1, 127, 128, 255, 9);
            assertThat(r.readBooleans("bool")).containsExactly(bool);
            assertThat(r.readFloats("bool")).containsExactly(1, 0, 0, 1, 1, 0);
            assertThat(r.readBytes("bool")).containsExactly(1, 0, 0, 1, 1, 0);
            assertThat(r.info("scalar").shape()).isEmpty();
            assertThat(r.readFloats("scalar")).containsExactly(7f);
            assertThat(r.readFloats("empty")).isEmpty();
            assertThat(r.info("empty").shape()).containsExactly(0, 4);
            assertThatThrownBy(() -> r.readInts("i64")).hasMessageContaining("does not fit in an int")
                    .hasMessageContaining("i64");
            assertThatThrownBy(() -> r.readLongs("f32")).hasMessageContaining("f32").hasMessageContaining("F32");
        }
    }

    @Test
    void bf16WrittenByTheProjectReadsBackToTheExactFloat32Values() throws IOException {
        // non-representable values are rounded to nearest even at write time; hand-computed bit patterns
        float[] values = {1f, Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000),
            Float.intBitsToFloat(0x3F808001), 0.1f, -3.3333333f};
        int[] expectedBits = {0x3F80, 0x3F80, 0x3F82, 0x3F81, 0x3DCD, 0xC055};
        Path file = dir.resolve("bf16.safetensors");
        new SafetensorsWriter().put("w", DType.BF16, new long[] {values.length}, values).write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            ByteBuffer raw = ByteBuffer.wrap(r.readBytes("w")).order(ByteOrder.LITTLE_ENDIAN);
            float[] read = r.readFloats("w");
            for (int i = 0; i < values.length; i++) {
                assertThat(raw.getShort(i * 2) & 0xFFFF).as("value %s", values[i]).isEqualTo(expectedBits[i]);
                assertThat(Float.floatToRawIntBits(read[i])).isEqualTo(expectedBits[i] << 16);
            }
        }
    }

    @Test
    void f16RoundingAndSubnormalsOnDisk() throws IOException {
        float[] values = {0x1p-25f, 0x1.8p-24f, 65520f, 1f + 0x1p-11f, 0.1f, -0x1p-24f};
        int[] expectedBits = {0x0000, 0x0002, 0x7C00, 0x3C00, 0x2E66, 0x8001};
        Path file = dir.resolve("f16.safetensors");
        new SafetensorsWriter().put("h", DType.F16, new long[] {values.length}, values).write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            ByteBuffer raw = ByteBuffer.wrap(r.readBytes("h")).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                assertThat(raw.getShort(i * 2) & 0xFFFF).as("value %s", values[i]).isEqualTo(expectedBits[i]);
            }
            assertThat(r.readFloats("h")).containsExactly(0f, 0x1p-23f, Float.POSITIVE_INFINITY, 1f,
                    HalfFloats.f16ToFloat((short) 0x2E66), -0x1p-24f);
        }
    }

    @Test
    void writerOutputIsByteIdenticalToTheReferenceSerialisation() throws IOException {
        // the reference library's own test vector: one F32 tensor "attn0" of shape [1,1,2,3] holding 0..5;
        // header JSON 65 bytes padded with 7 spaces to 72, then the 24 data bytes
        String json = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}";
        byte[] expected = SafetensorsFixtures.bytes(72, (json + "       ").getBytes(StandardCharsets.US_ASCII),
                SafetensorsFixtures.floatsLE(0, 1, 2, 3, 4, 5));
        assertThat(json).hasSize(65);
        Path file = dir.resolve("ref.safetensors");
        new SafetensorsWriter().put("attn0", DType.F32, new long[] {1, 1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5})
                .write(file);
        assertThat(Files.readAllBytes(file)).containsExactly(expected);

        // and the reference's empty file with metadata {"framework": "pt"}: 35 bytes + 5 spaces
        Path meta = dir.resolve("meta.safetensors");
        new SafetensorsWriter().metadata(Map.of("framework", "pt")).write(meta);
        assertThat(Files.readAllBytes(meta)).containsExactly(SafetensorsFixtures.bytes(40,
                "{\"__metadata__\":{\"framework\":\"pt\"}}     ".getBytes(StandardCharsets.US_ASCII), new byte[0]));
        try (SafetensorsReader r = SafetensorsReader.open(meta)) {
            assertThat(r.names()).isEmpty();
            assertThat(r.metadata()).containsExactly(Map.entry("framework", "pt"));
        }
        Path empty = dir.resolve("empty.safetensors");
        new SafetensorsWriter().write(empty);
        assertThat(Files.readAllBytes(empty)).containsExactly(SafetensorsFixtures.bytes(8,
                "{}      ".getBytes(StandardCharsets.US_ASCII), new byte[0]));
    }

    @Test
    void readsAHandMadeFileBuiltFromTheSpecification() throws IOException {
        // the reference docs' example: I32 [2,2] at offsets [0,16], header not padded
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(-2).putInt(3)
                .putInt(1 << 30).array();
        Path file = SafetensorsFixtures.write(dir, "spec.safetensors", SafetensorsFixtures.bytes(
                "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", data));
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThat(r.names()).containsExactly("test");
            assertThat(r.info("test")).isEqualTo(new TensorInfo("test", DType.I32, new long[] {2, 2}, 0, 16));
            assertThat(r.readInts("test")).containsExactly(1, -2, 3, 1 << 30);
            assertThat(r.metadata()).isEmpty();
        }
    }

    @Test
    void sortsTensorsByDtypeAlignmentThenNameAsTheReferenceDoes() throws IOException {
        Path file = dir.resolve("order.safetensors");
        new SafetensorsWriter()
                .put("a_bool", new long[] {1}, new boolean[] {true})
                .put("b_u8", new long[] {1}, new byte[] {1})
                .put("c_f16", DType.F16, new long[] {1}, new float[] {1})
                .put("d_bf16", DType.BF16, new long[] {1}, new float[] {1})
                .put("e_i32", new long[] {1}, new int[] {1})
                .put("z_f32", DType.F32, new long[] {1}, new float[] {1})
                .put("f_f32", DType.F32, new long[] {1}, new float[] {1})
                .put("g_i64", new long[] {1}, new long[] {1})
                .write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThat(r.names()).containsExactly("g_i64", "f_f32", "z_f32", "e_i32", "d_bf16", "c_f16", "b_u8",
                    "a_bool");
            // every tensor starts 8-byte aligned in the file when sorted this way, up to the 1-byte types
            long dataStart = 8 + ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN)
                    .getLong();
            assertThat(dataStart % 8).isZero();
            for (String n : r.names()) {
                assertThat((dataStart + r.info(n).dataStart()) % r.info(n).dtype().byteSize()).isZero();
            }
        }
    }

    @Test
    void tensorsStraddlingMappedChunkBoundariesReadCorrectly() throws IOException {
        float[] f32 = new float[37];
        float[] bf = new float[29];
        long[] i64 = new long[11];
        byte[] u8 = new byte[13];
        for (int i = 0; i < f32.length; i++) {
            f32[i] = i * 1.25f - 7;
        }
        for (int i = 0; i < bf.length; i++) {
            bf[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(i * 0.37f - 3));
        }
        for (int i = 0; i < i64.length; i++) {
            i64[i] = (long) i * 0x0102030405L - 9;
        }
        for (int i = 0; i < u8.length; i++) {
            u8[i] = (byte) (i * 19);
        }
        Path file = dir.resolve("chunks.safetensors");
        new SafetensorsWriter().put("f32", DType.F32, new long[] {37}, f32).put("bf", DType.BF16, new long[] {29}, bf)
                .put("i64", new long[] {11}, i64).put("u8", new long[] {13}, u8).write(file);
        // 24-byte chunks: no chunk boundary lines up with any tensor boundary except by chance
        try (SafetensorsReader r = SafetensorsReader.open(file, 24)) {
            assertThat(r.readFloats("f32")).containsExactly(f32);
            assertThat(r.readFloats("bf")).containsExactly(bf);
            assertThat(r.readLongs("i64")).containsExactly(i64);
            assertThat(r.readBytes("u8")).containsExactly(u8);
            assertThat(((int) Math.ceil((37 * 4 + 29 * 2 + 11 * 8 + 13) / 24.0))).isGreaterThan(10);
            try (NDManager m = Engines.newManager()) {
                NDArray a = r.toNDArray("bf", m);
                assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(a.toFloatArray()).containsExactly(bf);
                assertThat(r.toNDArray("i64", m).toLongArray()).containsExactly(i64);
            }
        }
    }

    @Test
    void toNDArrayUsesSafeDjlTypesAndSlicesLargeTensors() throws IOException {
        float[] bf = new float[6 * 5];
        for (int i = 0; i < bf.length; i++) {
            bf[i] = i - 10.5f;
        }
        Path file = dir.resolve("nd.safetensors");
        new SafetensorsWriter()
                .put("bf", DType.BF16, new long[] {6, 5}, bf)
                .put("h", DType.F16, new long[] {2}, new float[] {0.5f, -4f})
                .put("ids", new long[] {3}, new long[] {5, -1, 1L << 33})
                .put("i", new long[] {2}, new int[] {3, -3})
                .put("px", new long[] {2}, new byte[] {(byte) 200, 3})
                .put("mask", new long[] {2}, new boolean[] {true, false})
                .write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file); NDManager m = Engines.newManager()) {
            NDArray a = r.toNDArray("bf", m);
            assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(a.getShape()).isEqualTo(new Shape(6, 5));
            assertThat(a.toFloatArray()).containsExactly(bf);
            assertThat(r.toNDArray("h", m).getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(r.toNDArray("h", m).toFloatArray()).containsExactly(0.5f, -4f);
            assertThat(r.toNDArray("ids", m).getDataType()).isEqualTo(DataType.INT64);
            assertThat(r.toNDArray("ids", m).toLongArray()).containsExactly(5, -1, 1L << 33);
            assertThat(r.toNDArray("i", m).toIntArray()).containsExactly(3, -3);
            assertThat(r.toNDArray("px", m).getDataType()).isEqualTo(DataType.UINT8);
            assertThat(r.toNDArray("px", m).toUint8Array()).containsExactly(200, 3);
            assertThat(r.toNDArray("mask", m).getDataType()).isEqualTo(DataType.BOOLEAN);
            assertThat(r.toNDArray("mask", m).toBooleanArray()).containsExactly(true, false);

            // a tensor bigger than the native-buffer limit is built in slices along dim 0 and concatenated
            r.maxNDArrayBytes = 2 * 5 * 4;
            NDArray sliced = r.toNDArray("bf", m);
            assertThat(sliced.getShape()).isEqualTo(new Shape(6, 5));
            assertThat(sliced.toFloatArray()).containsExactly(bf);
        }
    }

    @Test
    void putNDArrayKeepsTypesAndCanNarrowToBf16() throws IOException {
        Path file = dir.resolve("fromnd.safetensors");
        try (NDManager m = Engines.newManager()) {
            NDArray f = m.create(new float[] {1f, 0.1f, -2f}, new Shape(3));
            new SafetensorsWriter()
                    .put("f", f)
                    .put("fb", DType.BF16, f)
                    .put("l", m.create(new long[] {7, 8}))
                    .put("b", m.create(new boolean[] {false, true}))
                    .write(file);
        }
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThat(r.info("f").dtype()).isEqualTo(DType.F32);
            assertThat(r.readFloats("f")).containsExactly(1f, 0.1f, -2f);
            assertThat(r.info("fb").dtype()).isEqualTo(DType.BF16);
            assertThat(r.readFloats("fb")).containsExactly(1f, HalfFloats.bf16ToFloat((short) 0x3DCD), -2f);
            assertThat(r.readLongs("l")).containsExactly(7, 8);
            assertThat(r.readBooleans("b")).containsExactly(false, true);
        }
    }

    @Test
    void shardedCheckpointsRoundTripAndReplaceEachOther() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata(Map.of("format", "pt"));
        for (int i = 0; i < 5; i++) {
            float[] v = new float[10];
            Arrays.fill(v, i);
            w.put("layer." + i + ".weight", DType.F32, new long[] {10}, v);
        }
        Path ckpt = dir.resolve("ckpt");
        List<Path> files = w.writeSharded(ckpt, 100); // 40 bytes per tensor: two per shard
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly(
                "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json");
        String index = Files.readString(ckpt.resolve("model.safetensors.index.json"));
        assertThat(index).contains("\"total_size\"").contains("200");
        try (SafetensorsReader r = SafetensorsReader.open(ckpt)) {
            assertThat(r.fileCount()).isEqualTo(3);
            assertThat(r.names()).containsExactly("layer.0.weight", "layer.1.weight", "layer.2.weight",
                    "layer.3.weight", "layer.4.weight");
            assertThat(r.readFloats("layer.4.weight")).containsOnly(4f);
            assertThat(r.metadata()).containsEntry("format", "pt");
        }
        // writing again unsharded leaves only model.safetensors: no stale index or shards to confuse a reader
        w.writeSharded(ckpt, 1 << 20);
        try (Stream<Path> s = Files.list(ckpt)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("model.safetensors");
        }
        try (SafetensorsReader r = SafetensorsReader.open(ckpt)) {
            assertThat(r.fileCount()).isEqualTo(1);
            assertThat(r.readFloats("layer.2.weight")).containsOnly(2f);
        }
    }

    // ---- corruption: each message names the file and the problem ----

    private void assertRejected(byte[] content, String... problem) throws IOException {
        Path file = SafetensorsFixtures.write(dir, "bad.safetensors", content);
        assertThatThrownBy(() -> SafetensorsReader.open(file).close())
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContainingAll(problem);
    }

    private static String tensor(String name, String dtype, String shape, long start, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + start
                + "," + end + "]}";
    }

    @Test
    void rejectsFilesShorterThanTheLengthPrefix() throws IOException {
        assertRejected(new byte[] {1, 2, 3, 4, 5}, "5 bytes", "shorter than the 8-byte header length");
    }

    @Test
    void rejectsHeaderLengthBeyondTheFile() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.US_ASCII);
        assertRejected(SafetensorsFixtures.bytes(1000, header, new byte[0]), "header length 1000",
                "beyond the end of the file");
        assertRejected(SafetensorsFixtures.bytes(-1L, header, new byte[0]), "header length", "exceeds");
    }

    @Test
    void rejectsHeadersThatAreNotJson() throws IOException {
        assertRejected(SafetensorsFixtures.bytes("{\"a\": [1, 2", new byte[0]), "not valid JSON");
        assertRejected(SafetensorsFixtures.bytes("[1, 2]  ", new byte[0]), "not valid JSON");
        assertRejected(SafetensorsFixtures.bytes("{} x", new byte[0]), "not valid JSON");
        assertRejected(SafetensorsFixtures.bytes(2, new byte[] {(byte) 0xC3, (byte) 0x28}, new byte[0]),
                "not valid UTF-8");
        // duplicate keys would let two readers disagree on a tensor
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("a", "U8", "[1]", 0, 1) + ","
                + tensor("a", "U8", "[1]", 0, 1) + "}", new byte[1]), "not valid JSON", "'a'");
    }

    @Test
    void rejectsUnknownDtypes() throws IOException {
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("w", "F64", "[1]", 0, 8) + "}", new byte[8]),
                "tensor 'w'", "unknown or unsupported dtype 'F64'");
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("w", "Q4", "[1]", 0, 1) + "}", new byte[1]),
                "dtype 'Q4'");
    }

    @Test
    void rejectsOffsetsOutOfRange() throws IOException {
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("w", "F32", "[4]", 0, 16) + "}", new byte[8]),
                "tensor 'w'", "out of range", "8 bytes");
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("w", "U8", "[0]", 5, 4) + "}", new byte[8]),
                "tensor 'w'", "end before they start");
    }

    @Test
    void rejectsOverlappingOffsets() throws IOException {
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("a", "F32", "[2]", 0, 8) + ","
                + tensor("b", "F32", "[2]", 4, 12) + "}", new byte[12]), "overlap", "'a'", "'b'");
    }

    @Test
    void rejectsOffsetsThatDoNotCoverTheDataSection() throws IOException {
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("a", "F32", "[1]", 0, 4) + ","
                + tensor("b", "F32", "[1]", 8, 12) + "}", new byte[12]), "bytes [4, 8)", "belong to no tensor");
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("a", "F32", "[1]", 0, 4) + "}", new byte[10]),
                "cover 4 bytes", "10 bytes");
    }

    @Test
    void rejectsShapesThatDoNotMatchTheByteLength() throws IOException {
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("w", "BF16", "[2,3]", 0, 8) + "}", new byte[8]),
                "tensor 'w'", "shape [2, 3]", "needs 6 x 2 = 12 bytes", "span 8 bytes");
        assertRejected(SafetensorsFixtures.bytes("{" + tensor("w", "F32", "[-1]", 0, 4) + "}", new byte[4]),
                "tensor 'w'", "non-negative integer");
    }

    @Test
    void rejectsATruncatedFile() throws IOException {
        Path good = dir.resolve("good.safetensors");
        new SafetensorsWriter().put("w", DType.F32, new long[] {16}, new float[16]).write(good);
        byte[] all = Files.readAllBytes(good);
        assertRejected(Arrays.copyOf(all, all.length - 5), "tensor 'w'", "out of range", "truncated");
        assertRejected(Arrays.copyOf(all, 20), "beyond the end of the file");
    }

    @Test
    void namesAMissingTensorAndAMissingFile() throws IOException {
        Path file = dir.resolve("one.safetensors");
        new SafetensorsWriter().put("present", DType.F32, new long[] {1}, new float[] {1}).write(file);
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThatThrownBy(() -> r.readFloats("absent")).isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining("'absent'").hasMessageContaining(file.toString());
        }
        Path nowhere = dir.resolve("nowhere.safetensors");
        assertThatThrownBy(() -> SafetensorsReader.open(nowhere)).hasMessageContaining(nowhere.toString())
                .hasMessageContaining("not found");
        Path emptyDir = Files.createDirectory(dir.resolve("emptydir"));
        assertThatThrownBy(() -> SafetensorsReader.open(emptyDir)).hasMessageContaining("model.safetensors");
    }

    @Test
    void rejectsAnIndexNamingAMissingShardOrAMissingTensor() throws IOException {
        Path ckpt = Files.createDirectory(dir.resolve("sharded"));
        new SafetensorsWriter().put("a", DType.F32, new long[] {1}, new float[] {1})
                .write(ckpt.resolve("model-00001-of-00002.safetensors"));
        Path index = ckpt.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\":{\"total_size\":8},\"weight_map\":{"
                + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(ckpt)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(index.toString())
                .hasMessageContaining("model-00002-of-00002.safetensors").hasMessageContaining("missing");

        Files.writeString(index, "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"zz\":\"model-00001-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(ckpt)).hasMessageContaining("'zz'")
                .hasMessageContaining("no such tensor");

        Files.writeString(index, "{\"weight_map\":{\"a\":\"../elsewhere.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsReader.open(ckpt)).hasMessageContaining("not a file beside the index");

        Files.writeString(index, "{\"weight_map\": 3}");
        assertThatThrownBy(() -> SafetensorsReader.open(ckpt)).hasMessageContaining("weight_map");
    }

    @Test
    void writerRefusesInconsistentInput() {
        SafetensorsWriter w = new SafetensorsWriter();
        assertThatThrownBy(() -> w.put("x", DType.F32, new long[] {2, 2}, new float[3]))
                .hasMessageContaining("'x'").hasMessageContaining("4 elements but 3");
        assertThatThrownBy(() -> w.put("x", DType.I32, new long[] {1}, new float[1])).hasMessageContaining("I32");
        w.put("x", DType.F32, new long[] {1}, new float[1]);
        assertThatThrownBy(() -> w.put("x", DType.F32, new long[] {1}, new float[1]))
                .hasMessageContaining("already");
        assertThatThrownBy(() -> w.put("__metadata__", DType.F32, new long[] {1}, new float[1]))
                .hasMessageContaining("reserved");
    }
}

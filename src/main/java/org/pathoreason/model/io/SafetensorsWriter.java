package org.pathoreason.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Collects tensors and writes them as a safetensors file, atomically (temporary file, then rename).
 *
 * <p>The layout is the reference library's: tensors sorted by dtype alignment (the reference {@code Dtype} order,
 * largest first: I64, F32, I32, BF16, F16, U8, BOOL) then by name (UTF-8 bytes); compact JSON header with
 * {@code __metadata__} first and each entry as {@code dtype, shape, data_offsets}; header padded with spaces to a
 * multiple of 8 bytes so every tensor starts 8-byte aligned. Narrowing to F16/BF16 rounds to nearest, ties to even.
 *
 * <p>Memory: {@code put} only records a tensor; its values are read and encoded while the file is written, one
 * tensor after another through a small buffer, so writing a model needs at most one tensor's worth of extra memory
 * (an NDArray's copy on the Java heap) rather than the whole model's. Hence the arrays, NDArrays and readers given
 * to {@code put}/{@code putRaw}/{@code copy} must stay unchanged and open until the last {@code write}.
 */
public final class SafetensorsWriter {

    /** Bytes staged before each write to the file; a multiple of every element size. */
    private static final int BUFFER_BYTES = 1 << 16;
    private static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private Map<String, String> metadata;

    private record Entry(String name, DType dtype, long[] shape, long byteLength, TensorBytes bytes) {
    }

    /** Encodes one element at a time into a little-endian buffer. */
    @FunctionalInterface
    private interface ElementEncoder {
        void encode(ByteBuffer out, int index);
    }

    /** Produces one tensor's bytes into the file; runs only while the file is written. */
    @FunctionalInterface
    private interface TensorBytes {
        void writeTo(LittleEndianOut out) throws IOException;
    }

    /** Sets the {@code __metadata__} string map (for Hugging Face transformers, include {@code format=pt}). */
    public SafetensorsWriter metadata(Map<String, String> metadata) {
        this.metadata = metadata == null ? null : new LinkedHashMap<>(metadata);
        return this;
    }

    /** Adds a {@code __metadata__} entry unless the key is already set. */
    SafetensorsWriter metadataIfAbsent(String key, String value) {
        if (metadata == null) {
            metadata = new LinkedHashMap<>();
        }
        metadata.putIfAbsent(key, value);
        return this;
    }

    /** Float values stored as F32, F16 or BF16 (the two narrow types round to nearest even). */
    public SafetensorsWriter put(String name, DType dtype, long[] shape, float[] values) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("tensor '" + name + "': float values can be stored as F32, F16 or "
                    + "BF16, not " + dtype.safetensorsName());
        }
        checkCount(name, shape, values.length);
        return add(name, dtype, shape, values.length, floatEncoder(dtype, values));
    }

    /**
     * Float values computed only when the file is written (then dropped), stored as F32, F16 or BF16: a writer of
     * many derived tensors (a merged checkpoint) holds one of them at a time rather than all.
     */
    public SafetensorsWriter put(String name, DType dtype, long[] shape, java.util.function.Supplier<float[]> values) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("tensor '" + name + "': float values can be stored as F32, F16 or "
                    + "BF16, not " + dtype.safetensorsName());
        }
        long count = TensorInfo.elementCount(shape);
        return add(name, dtype, shape, Math.multiplyExact(count, dtype.byteSize()), out -> {
            float[] v = values.get();
            checkLength(name, v.length, count);
            out.encode(v.length, dtype.byteSize(), floatEncoder(dtype, v));
        });
    }

    /** Fills {@code chunk[0..count)} with the next values of a tensor, in order. */
    @FunctionalInterface
    public interface FloatStream {
        void next(float[] chunk, int count);
    }

    /** Values per chunk of a {@link FloatStream} tensor: 4 MB of floats. */
    private static final int STREAM_CHUNK = 1 << 20;

    /**
     * Float values produced in order, a chunk at a time, only when the file is written, stored as F32, F16 or BF16:
     * a tensor larger than the heap (a 7B model's embedding) is written with one chunk in memory.
     *
     * @param values made once per write of the file; each gives the tensor's values from the first
     */
    public SafetensorsWriter putStream(String name, DType dtype, long[] shape,
                                       java.util.function.Supplier<FloatStream> values) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("tensor '" + name + "': float values can be stored as F32, F16 or "
                    + "BF16, not " + dtype.safetensorsName());
        }
        long count = TensorInfo.elementCount(shape);
        return add(name, dtype, shape, Math.multiplyExact(count, dtype.byteSize()), out -> {
            FloatStream stream = values.get();
            float[] chunk = new float[(int) Math.min(STREAM_CHUNK, Math.max(1, count))];
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(chunk.length, count - done);
                stream.next(chunk, n);
                out.encode(n, dtype.byteSize(), floatEncoder(dtype, chunk));
                done += n;
            }
        });
    }

    private static ElementEncoder floatEncoder(DType dtype, float[] values) {
        return switch (dtype) {
            case F32 -> (b, i) -> b.putFloat(values[i]);
            case F16 -> (b, i) -> b.putShort(HalfFloats.floatToF16(values[i]));
            default -> (b, i) -> b.putShort(HalfFloats.floatToBf16(values[i]));
        };
    }

    /** I64 values. */
    public SafetensorsWriter put(String name, long[] shape, long[] values) {
        checkCount(name, shape, values.length);
        return add(name, DType.I64, shape, values.length, (b, i) -> b.putLong(values[i]));
    }

    /** I32 values. */
    public SafetensorsWriter put(String name, long[] shape, int[] values) {
        checkCount(name, shape, values.length);
        return add(name, DType.I32, shape, values.length, (b, i) -> b.putInt(values[i]));
    }

    /** U8 values (Java bytes read as unsigned 0..255). */
    public SafetensorsWriter put(String name, long[] shape, byte[] values) {
        checkCount(name, shape, values.length);
        return add(name, DType.U8, shape, values.length, (b, i) -> b.put(values[i]));
    }

    /** BOOL values (stored as bytes 0/1). */
    public SafetensorsWriter put(String name, long[] shape, boolean[] values) {
        checkCount(name, shape, values.length);
        return add(name, DType.BOOL, shape, values.length, (b, i) -> b.put((byte) (values[i] ? 1 : 0)));
    }

    /** Bytes already in safetensors encoding (little-endian) for {@code dtype}; copied as they are. */
    public SafetensorsWriter putRaw(String name, DType dtype, long[] shape, byte[] littleEndian) {
        long needed = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
        if (needed != littleEndian.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of "
                    + dtype.safetensorsName() + " needs " + needed + " bytes, got " + littleEndian.length);
        }
        return add(name, dtype, shape, littleEndian.length, out -> out.write(littleEndian));
    }

    /**
     * Copies a tensor from a reader byte for byte (no conversion), under the same name; the bytes are read when
     * the file is written, so keep the reader open until then.
     */
    public SafetensorsWriter copy(SafetensorsReader reader, String name) throws SafetensorsException {
        TensorInfo t = reader.info(name);
        return add(name, t.dtype(), t.shape(), t.byteLength(), out -> out.write(reader.readBytes(name)));
    }

    /**
     * An NDArray stored in its own type: FLOAT32 as F32, FLOAT16 as F16, INT64, INT32, UINT8, BOOLEAN. Use
     * {@link #put(String, DType, NDArray)} to store a float array as BF16 or F16.
     */
    public SafetensorsWriter put(String name, NDArray array) {
        DataType t = array.getDataType();
        DType dtype = switch (t) {
            case FLOAT32 -> DType.F32;
            case FLOAT16 -> DType.F16;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            case UINT8 -> DType.U8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException("tensor '" + name + "': NDArray type " + t
                    + " has no safetensors counterpart here (supported: FLOAT32, FLOAT16, INT64, INT32, UINT8, "
                    + "BOOLEAN)");
        };
        if (dtype == DType.F16) {
            return put(name, DType.F16, array);
        }
        long[] shape = array.getShape().getShape();
        long byteLength = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.byteSize());
        return add(name, dtype, shape, byteLength, out -> {
            ByteBuffer bytes = contents(name, array).toByteBuffer().order(ByteOrder.nativeOrder());
            checkLength(name, bytes.remaining(), byteLength);
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || dtype.byteSize() == 1) {
                out.write(bytes);
            } else {
                int n = (int) (byteLength / dtype.byteSize());
                out.encode(n, dtype.byteSize(), dtype == DType.I64 ? (b, i) -> b.putLong(bytes.getLong())
                        : (b, i) -> b.putInt(bytes.getInt()));
            }
        });
    }

    /** A floating-point NDArray stored as {@code dtype} (F32, F16 or BF16). */
    public SafetensorsWriter put(String name, DType dtype, NDArray array) {
        if (!array.getDataType().isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': only floating NDArrays can be stored as "
                    + dtype.safetensorsName() + ", got " + array.getDataType());
        }
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("tensor '" + name + "': float values can be stored as F32, F16 or "
                    + "BF16, not " + dtype.safetensorsName());
        }
        long[] shape = array.getShape().getShape();
        long count = TensorInfo.elementCount(shape);
        return add(name, dtype, shape, Math.multiplyExact(count, dtype.byteSize()), out -> {
            NDArray a = contents(name, array);
            // rows of the first axis a few MB at a time: the heap holds one piece, not the whole tensor
            long rows = shape.length == 0 ? 1 : shape[0];
            long rowSize = rows == 0 ? 0 : count / rows;
            long rowsPerPiece = shape.length == 0 ? 1 : Math.max(1, PIECE_VALUES / Math.max(1, rowSize));
            long written = 0;
            for (long r = 0; r < rows; r += rowsPerPiece) {
                float[] values;
                try (NDArray piece = shape.length == 0 || rowsPerPiece >= rows ? null
                        : a.get(new NDIndex("{}:{}", r, Math.min(rows, r + rowsPerPiece)))) {
                    values = floats(piece == null ? a : piece);
                }
                out.encode(values.length, dtype.byteSize(), floatEncoder(dtype, values));
                written += values.length;
            }
            checkLength(name, written, count);
        });
    }

    /** Values written per piece of a large float tensor. */
    private static final long PIECE_VALUES = 1 << 22;

    private static float[] floats(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return a.toFloatArray();
        }
        try (NDArray widened = a.toType(DataType.FLOAT32, false)) {
            return widened.toFloatArray();
        }
    }

    /** The array to read at write time, refused with a clear message once closed. */
    private static NDArray contents(String name, NDArray array) {
        if (array.isReleased()) {
            throw new IllegalStateException("tensor '" + name + "': its NDArray was closed before the writer wrote "
                    + "it; keep arrays open until the write is done");
        }
        return array;
    }

    private static void checkLength(String name, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException("tensor '" + name + "' changed size between put and write: "
                    + expected + " expected, " + actual + " found");
        }
    }

    private static void checkCount(String name, long[] shape, int count) {
        long n = TensorInfo.elementCount(shape);
        if (n != count) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has "
                    + n + " elements but " + count + " values were given");
        }
    }

    private SafetensorsWriter add(String name, DType dtype, long[] shape, int count, ElementEncoder encoder) {
        int size = dtype.byteSize();
        return add(name, dtype, shape, (long) count * size, out -> out.encode(count, size, encoder));
    }

    private SafetensorsWriter add(String name, DType dtype, long[] shape, long byteLength, TensorBytes bytes) {
        Objects.requireNonNull(name, "name");
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in "
                        + Arrays.toString(shape));
            }
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already put");
        }
        entries.put(name, new Entry(name, dtype, shape.clone(), byteLength, bytes));
        return this;
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** Total tensor bytes (the data section of a single file). */
    public long dataBytes() {
        return entries.values().stream().mapToLong(Entry::byteLength).sum();
    }

    /** Writes one safetensors file atomically. */
    public void write(Path file) throws IOException {
        writeFile(file, new ArrayList<>(entries.values()));
    }

    /**
     * Writes a checkpoint folder as Hugging Face does: one {@code model.safetensors} when everything fits in
     * {@code maxShardBytes}, otherwise {@code model-0000i-of-0000n.safetensors} shards (tensors in put order, a new
     * shard started when the next tensor would overflow the current one; a tensor larger than the limit gets a
     * shard of its own) plus {@code model.safetensors.index.json}. Weight files of an earlier write in the folder
     * that are not part of this one are deleted afterwards, so a reader never mixes old and new weights.
     *
     * @return the files written, index last when there is one
     */
    public List<Path> writeSharded(Path dir, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
        }
        Files.createDirectories(dir);
        List<List<Entry>> shards = new ArrayList<>();
        List<Entry> current = new ArrayList<>();
        long currentBytes = 0;
        for (Entry e : entries.values()) {
            if (!current.isEmpty() && currentBytes + e.byteLength() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(e);
            currentBytes += e.byteLength();
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(current);
        }
        List<Path> written = new ArrayList<>();
        if (shards.size() == 1) {
            Path single = dir.resolve(SafetensorsReader.SINGLE_FILE);
            writeFile(single, shards.get(0));
            written.add(single);
        } else {
            Map<String, String> weightMap = new TreeMap<>();
            for (int i = 0; i < shards.size(); i++) {
                String fileName = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                Path shard = dir.resolve(fileName);
                writeFile(shard, shards.get(i));
                written.add(shard);
                for (Entry e : shards.get(i)) {
                    weightMap.put(e.name(), fileName);
                }
            }
            ObjectNode index = Json.MAPPER.createObjectNode();
            index.putObject("metadata").put("total_size", dataBytes());
            ObjectNode wm = index.putObject("weight_map");
            weightMap.forEach(wm::put);
            Path indexFile = dir.resolve(SafetensorsReader.INDEX_FILE);
            writeAtomically(indexFile, out -> out.write(Json.PRETTY.writeValueAsBytes(index)));
            written.add(indexFile);
        }
        deleteStaleWeights(dir, written);
        return written;
    }

    private static void deleteStaleWeights(Path dir, List<Path> keep) throws IOException {
        List<Path> keepNames = keep.stream().map(Path::getFileName).toList();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                boolean weights = n.equals(SafetensorsReader.SINGLE_FILE) || n.equals(SafetensorsReader.INDEX_FILE)
                        || SHARD_NAME.matcher(n).matches();
                if (weights && !keepNames.contains(f.getFileName())) {
                    Files.delete(f);
                }
            }
        }
    }

    private void writeFile(Path file, List<Entry> tensors) throws IOException {
        List<Entry> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingInt((Entry e) -> -e.dtype().referenceOrder())
                .thenComparing(Entry::name, SafetensorsWriter::compareUtf8));
        byte[] header = header(sorted);
        writeAtomically(file, raw -> {
            LittleEndianOut out = new LittleEndianOut(raw);
            out.encode(1, Long.BYTES, (b, i) -> b.putLong(header.length));
            out.write(header);
            for (Entry e : sorted) {
                long before = out.written();
                e.bytes().writeTo(out);
                checkLength(e.name(), out.written() - before, e.byteLength());
            }
            out.flush();
        });
    }

    /** A little-endian staging buffer in front of the file, so no tensor is ever encoded whole. */
    private static final class LittleEndianOut {
        private final OutputStream out;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long written;

        LittleEndianOut(OutputStream out) {
            this.out = out;
        }

        /** Encodes elements {@code 0..count-1} of {@code size} bytes each, a buffer at a time. */
        void encode(int count, int size, ElementEncoder encoder) throws IOException {
            int i = 0;
            while (i < count) {
                int n = Math.min(count - i, buffer.remaining() / size);
                if (n == 0) {
                    flush();
                    continue;
                }
                for (int k = 0; k < n; k++) {
                    encoder.encode(buffer, i + k);
                }
                i += n;
                written += (long) n * size;
            }
        }

        void write(byte[] bytes) throws IOException {
            flush();
            out.write(bytes);
            written += bytes.length;
        }

        /** Copies the remaining bytes of {@code bytes} (direct or heap) as they are. */
        void write(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                if (!buffer.hasRemaining()) {
                    flush();
                }
                int n = Math.min(bytes.remaining(), buffer.remaining());
                bytes.get(buffer.array(), buffer.position(), n);
                buffer.position(buffer.position() + n);
                written += n;
            }
        }

        long written() {
            return written;
        }

        void flush() throws IOException {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }

    /** The JSON header, space-padded to a multiple of 8 bytes. */
    private byte[] header(List<Entry> sorted) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (metadata != null) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : sorted) {
            ObjectNode t = root.putObject(e.name());
            t.put("dtype", e.dtype().safetensorsName());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + e.byteLength());
            offset += e.byteLength();
        }
        byte[] json = Json.MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeAtomically(Path file, AtomicFiles.StreamWriter writer) throws IOException {
        try {
            AtomicFiles.write(file, writer);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

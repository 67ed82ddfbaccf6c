package org.pathoreason.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
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
 * multiple of 8 bytes so every tensor starts 8-byte aligned. Values are encoded when {@code put} is called, so the
 * caller's arrays may change afterwards. Narrowing to F16/BF16 rounds to nearest, ties to even.
 */
public final class SafetensorsWriter {

    /** Most bytes in one backing array; tensors larger than this span several. */
    private static final int PIECE_BYTES = 1 << 28;
    private static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private Map<String, String> metadata;

    private record Entry(String name, DType dtype, long[] shape, List<byte[]> pieces, long byteLength) {
    }

    /** Encodes one element at a time into a little-endian buffer. */
    @FunctionalInterface
    private interface ElementEncoder {
        void encode(ByteBuffer out, int index);
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
        return add(name, dtype, shape, values.length, switch (dtype) {
            case F32 -> (b, i) -> b.putFloat(values[i]);
            case F16 -> (b, i) -> b.putShort(HalfFloats.floatToF16(values[i]));
            default -> (b, i) -> b.putShort(HalfFloats.floatToBf16(values[i]));
        });
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
        int size = dtype.byteSize();
        return add(name, dtype, shape, littleEndian.length / size,
                (b, i) -> b.put(littleEndian, i * size, size));
    }

    /** Copies a tensor from a reader byte for byte (no conversion), under the same name. */
    public SafetensorsWriter copy(SafetensorsReader reader, String name) throws SafetensorsException {
        TensorInfo t = reader.info(name);
        return putRaw(name, t.dtype(), t.shape(), reader.readBytes(name));
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
        ByteBuffer bytes = array.toByteBuffer().order(ByteOrder.nativeOrder());
        long[] shape = array.getShape().getShape();
        byte[] le = new byte[bytes.remaining()];
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || dtype.byteSize() == 1) {
            bytes.get(le);
        } else {
            ByteBuffer out = ByteBuffer.wrap(le).order(ByteOrder.LITTLE_ENDIAN);
            while (bytes.hasRemaining()) {
                switch (dtype) {
                    case I64 -> out.putLong(bytes.getLong());
                    default -> out.putInt(bytes.getInt());
                }
            }
        }
        return putRaw(name, dtype, shape, le);
    }

    /** A floating-point NDArray stored as {@code dtype} (F32, F16 or BF16). */
    public SafetensorsWriter put(String name, DType dtype, NDArray array) {
        if (!array.getDataType().isFloating()) {
            throw new IllegalArgumentException("tensor '" + name + "': only floating NDArrays can be stored as "
                    + dtype.safetensorsName() + ", got " + array.getDataType());
        }
        float[] values = array.getDataType() == DataType.FLOAT32 ? array.toFloatArray()
                : array.toType(DataType.FLOAT32, false).toFloatArray();
        return put(name, dtype, array.getShape().getShape(), values);
    }

    private static void checkCount(String name, long[] shape, int count) {
        long n = TensorInfo.elementCount(shape);
        if (n != count) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " has "
                    + n + " elements but " + count + " values were given");
        }
    }

    private SafetensorsWriter add(String name, DType dtype, long[] shape, int count, ElementEncoder encoder) {
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
        int size = dtype.byteSize();
        int perPiece = PIECE_BYTES / size;
        List<byte[]> pieces = new ArrayList<>();
        for (int first = 0; first < count; first += perPiece) {
            int n = Math.min(perPiece, count - first);
            byte[] piece = new byte[n * size];
            ByteBuffer b = ByteBuffer.wrap(piece).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                encoder.encode(b, first + i);
            }
            pieces.add(piece);
        }
        entries.put(name, new Entry(name, dtype, shape.clone(), pieces, (long) count * size));
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
            OutputStream out = new BufferedOutputStream(raw, 1 << 16);
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (Entry e : sorted) {
                for (byte[] piece : e.pieces()) {
                    out.write(piece);
                }
            }
            out.flush();
        });
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

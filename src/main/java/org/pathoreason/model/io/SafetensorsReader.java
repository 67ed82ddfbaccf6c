package org.pathoreason.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pathoreason.util.Json;

/**
 * Reads tensors from a safetensors checkpoint: one {@code .safetensors} file, a folder holding
 * {@code model.safetensors}, or a sharded checkpoint described by {@code model.safetensors.index.json}. Files are
 * memory-mapped (in chunks, so files over 2 GiB work) and validated when opened. F16 and BF16 are widened to F32 in
 * Java; DJL never sees a 16-bit float array from here.
 *
 * <pre>{@code
 * try (SafetensorsReader r = SafetensorsReader.open(checkpointDir);
 *      NDManager m = Engines.newManager()) {
 *     NDArray w = r.toNDArray("lm_head.weight", m);
 * }
 * }</pre>
 */
public final class SafetensorsReader implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    /** Bytes converted at a time; a multiple of every element size, so no element straddles two blocks. */
    static final int BLOCK_BYTES = 1 << 20;

    private final Path source;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owner;
    private final Map<String, String> metadata;
    /**
     * Largest piece converted at once; bigger tensors are built in slices along dim 0. The pieces go through one
     * reused direct buffer and are copied into PyTorch's memory at once, so reading a model needs that much direct
     * memory, not the model's size (a dead direct buffer is freed only when the JVM collects it).
     */
    long maxNDArrayBytes = 64L << 20;
    private ByteBuffer scratch;

    private SafetensorsReader(Path source, List<SafetensorsFile> files, Map<String, SafetensorsFile> owner) {
        this.source = source;
        this.files = files;
        this.owner = owner;
        Map<String, String> meta = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            f.metadata.forEach(meta::putIfAbsent);
        }
        this.metadata = Collections.unmodifiableMap(meta);
    }

    /**
     * Opens a {@code .safetensors} file, a sharded index ({@code *.index.json}), or a folder holding either
     * {@code model.safetensors.index.json} or {@code model.safetensors}.
     */
    public static SafetensorsReader open(Path fileOrDir) throws SafetensorsException {
        return open(fileOrDir, SafetensorsFile.DEFAULT_CHUNK_BYTES);
    }

    /** As {@link #open(Path)} with a chosen mapping chunk size (tests use small chunks to cross boundaries). */
    static SafetensorsReader open(Path fileOrDir, long chunkBytes) throws SafetensorsException {
        if (Files.isDirectory(fileOrDir)) {
            Path index = fileOrDir.resolve(INDEX_FILE);
            Path single = fileOrDir.resolve(SINGLE_FILE);
            if (Files.isRegularFile(index)) {
                return openSharded(index, chunkBytes);
            }
            if (Files.isRegularFile(single)) {
                return openSingle(single, chunkBytes);
            }
            throw SafetensorsException.at(fileOrDir, "folder has neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        if (fileOrDir.getFileName() != null && fileOrDir.getFileName().toString().endsWith(".index.json")) {
            return openSharded(fileOrDir, chunkBytes);
        }
        return openSingle(fileOrDir, chunkBytes);
    }

    private static SafetensorsReader openSingle(Path file, long chunkBytes) throws SafetensorsException {
        SafetensorsFile f = SafetensorsFile.open(file, chunkBytes);
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (String name : f.tensors.keySet()) {
            owner.put(name, f);
        }
        return new SafetensorsReader(file, List.of(f), owner);
    }

    private static SafetensorsReader openSharded(Path index, long chunkBytes) throws SafetensorsException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(index.toFile());
        } catch (JacksonException e) {
            throw SafetensorsException.at(index, "index is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw SafetensorsException.at(index, "cannot read index: " + e, e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw SafetensorsException.at(index, "index has no \"weight_map\" object");
        }
        Path dir = index.toAbsolutePath().getParent();
        Map<String, String> shardOf = new LinkedHashMap<>();
        Set<String> shardNames = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw SafetensorsException.at(index, "weight_map entry '" + e.getKey() + "' must name a shard file");
            }
            String shard = e.getValue().asText();
            Path shardPath = dir.resolve(shard).normalize();
            if (shard.isEmpty() || !shardPath.getParent().equals(dir.normalize())) {
                throw SafetensorsException.at(index, "weight_map entry '" + e.getKey() + "' names shard '" + shard
                        + "', which is not a file beside the index");
            }
            shardOf.put(e.getKey(), shard);
            shardNames.add(shard);
        }
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        try {
            for (String shard : shardNames) {
                Path shardPath = dir.resolve(shard);
                if (!Files.isRegularFile(shardPath)) {
                    throw SafetensorsException.at(index, "shard file '" + shard + "' named in weight_map is missing ("
                            + shardPath + ")");
                }
                SafetensorsFile f = SafetensorsFile.open(shardPath, chunkBytes);
                files.add(f);
                for (String name : f.tensors.keySet()) {
                    SafetensorsFile previous = owner.putIfAbsent(name, f);
                    if (previous != null) {
                        throw SafetensorsException.at(index, "tensor '" + name + "' appears in two shards: "
                                + previous.path.getFileName() + " and " + shard);
                    }
                }
            }
            for (Map.Entry<String, String> e : shardOf.entrySet()) {
                SafetensorsFile f = owner.get(e.getKey());
                if (f == null || !f.path.getFileName().toString().equals(e.getValue())) {
                    throw SafetensorsException.at(index, "weight_map says tensor '" + e.getKey() + "' is in shard '"
                            + e.getValue() + "', but that shard has no such tensor");
                }
            }
        } catch (SafetensorsException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsReader(index, files, owner);
    }

    /** The path this reader was opened on (file, index or folder's file). */
    public Path source() {
        return source;
    }

    /** Tensor names: shard by shard, in data-offset order within each file. */
    public Set<String> names() {
        return Collections.unmodifiableSet(owner.keySet());
    }

    public boolean contains(String name) {
        return owner.containsKey(name);
    }

    /** The header entry of a tensor; throws naming the tensor and the checkpoint when it is absent. */
    public TensorInfo info(String name) throws SafetensorsException {
        return owner(name).tensors.get(name);
    }

    /** The file (shard) that holds a tensor; throws naming the tensor and the checkpoint when it is absent. */
    public Path fileOf(String name) throws SafetensorsException {
        return owner(name).path;
    }

    /** Where a tensor's first byte lies, counted from the start of {@link #fileOf its file} (header included). */
    public long fileOffset(String name) throws SafetensorsException {
        SafetensorsFile f = owner(name);
        return f.dataOffset + f.tensors.get(name).dataStart();
    }

    /** The {@code __metadata__} map (for sharded checkpoints, all shards' maps merged; the first shard wins). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Number of files this reader maps (1 unless sharded). */
    public int fileCount() {
        return files.size();
    }

    private SafetensorsFile owner(String name) throws SafetensorsException {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw SafetensorsException.at(source, "no tensor named '" + name + "' (the checkpoint has "
                    + owner.size() + " tensors)");
        }
        return f;
    }

    /** A consumer of consecutive blocks of a tensor's bytes, little-endian. */
    @FunctionalInterface
    private interface BlockVisitor {
        void visit(ByteBuffer block, long firstElement, int elements);
    }

    private void forEachBlock(String name, BlockVisitor visitor) throws SafetensorsException {
        SafetensorsFile f = owner(name);
        TensorInfo t = f.tensors.get(name);
        int size = t.dtype().byteSize();
        long length = t.byteLength();
        byte[] block = new byte[(int) Math.min(BLOCK_BYTES, Math.max(length, 1))];
        ByteBuffer view = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(block.length, length - done);
            f.copy(t.dataStart() + done, block, 0, n);
            view.clear();
            view.limit(n);
            visitor.visit(view, done / size, n / size);
            done += n;
        }
    }

    private static int arrayLength(TensorInfo t, String what) throws SafetensorsException {
        long n = t.numElements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException("tensor '" + t.name() + "' has " + n + " elements, too many for a Java "
                    + what + "; use toNDArray, which slices large tensors");
        }
        return (int) n;
    }

    /** Values as float32: F32 as stored, F16/BF16 widened exactly, integer and bool types converted. */
    public float[] readFloats(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        float[] out = new float[arrayLength(t, "float[]")];
        DType d = t.dtype();
        forEachBlock(name, (b, first, n) -> {
            int o = (int) first;
            for (int i = 0; i < n; i++) {
                out[o + i] = readAsFloat(b, d, i);
            }
        });
        return out;
    }

    private static float readAsFloat(ByteBuffer b, DType d, int i) {
        return switch (d) {
            case F32 -> b.getFloat(i * 4);
            case F16 -> HalfFloats.f16ToFloat(b.getShort(i * 2));
            case BF16 -> HalfFloats.bf16ToFloat(b.getShort(i * 2));
            case I64 -> (float) b.getLong(i * 8);
            case I32 -> (float) b.getInt(i * 4);
            case U8 -> (float) (b.get(i) & 0xFF);
            case BOOL -> b.get(i) != 0 ? 1f : 0f;
        };
    }

    /** Integer values as long: I64, I32, U8 (unsigned) and BOOL (0/1); float types are refused. */
    public long[] readLongs(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        requireInteger(t, "long");
        long[] out = new long[arrayLength(t, "long[]")];
        DType d = t.dtype();
        forEachBlock(name, (b, first, n) -> {
            int o = (int) first;
            for (int i = 0; i < n; i++) {
                out[o + i] = readAsLong(b, d, i);
            }
        });
        return out;
    }

    /** Integer values as int; I64 values outside the int range are an error naming the tensor and index. */
    public int[] readInts(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        requireInteger(t, "int");
        int[] out = new int[arrayLength(t, "int[]")];
        DType d = t.dtype();
        long[] badIndex = {-1};
        long[] badValue = {0};
        forEachBlock(name, (b, first, n) -> {
            int o = (int) first;
            for (int i = 0; i < n; i++) {
                long v = readAsLong(b, d, i);
                if (v != (int) v && badIndex[0] < 0) {
                    badIndex[0] = o + i;
                    badValue[0] = v;
                }
                out[o + i] = (int) v;
            }
        });
        if (badIndex[0] >= 0) {
            throw SafetensorsException.at(owner.get(name).path, "tensor '" + name + "' element " + badIndex[0]
                    + " = " + badValue[0] + " does not fit in an int");
        }
        return out;
    }

    /** BOOL (or U8) values as booleans: non-zero is true. */
    public boolean[] readBooleans(String name) throws SafetensorsException {
        TensorInfo t = info(name);
        if (t.dtype() != DType.BOOL && t.dtype() != DType.U8) {
            throw new SafetensorsException("tensor '" + name + "' is " + t.dtype().safetensorsName()
                    + "; booleans can be read from BOOL or U8 tensors only");
        }
        boolean[] out = new boolean[arrayLength(t, "boolean[]")];
        forEachBlock(name, (b, first, n) -> {
            int o = (int) first;
            for (int i = 0; i < n; i++) {
                out[o + i] = b.get(i) != 0;
            }
        });
        return out;
    }

    /** The tensor's bytes exactly as stored (little-endian), whatever its dtype. */
    public byte[] readBytes(String name) throws SafetensorsException {
        SafetensorsFile f = owner(name);
        TensorInfo t = f.tensors.get(name);
        if (t.byteLength() > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException("tensor '" + name + "' has " + t.byteLength()
                    + " bytes, too many for a byte[]");
        }
        byte[] out = new byte[(int) t.byteLength()];
        f.copy(t.dataStart(), out, 0, out.length);
        return out;
    }

    private static void requireInteger(TensorInfo t, String target) throws SafetensorsException {
        if (t.dtype().isFloatingPoint()) {
            throw new SafetensorsException("tensor '" + t.name() + "' is " + t.dtype().safetensorsName()
                    + "; it cannot be read as " + target + " values (use readFloats)");
        }
    }

    private static long readAsLong(ByteBuffer b, DType d, int i) {
        return switch (d) {
            case I64 -> b.getLong(i * 8);
            case I32 -> b.getInt(i * 4);
            case U8 -> b.get(i) & 0xFF;
            case BOOL -> b.get(i) != 0 ? 1 : 0;
            default -> throw new IllegalStateException("not an integer type: " + d);
        };
    }

    /** The DJL type a tensor becomes: float types give FLOAT32 (never BF16/F16), the others their match. */
    public static DataType djlType(DType dtype) {
        return switch (dtype) {
            case F32, F16, BF16 -> DataType.FLOAT32;
            case I64 -> DataType.INT64;
            case I32 -> DataType.INT32;
            case U8 -> DataType.UINT8;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    /**
     * Creates the tensor as an NDArray in {@code manager}: F32/F16/BF16 become FLOAT32, I64 INT64, I32 INT32,
     * U8 UINT8, BOOL BOOLEAN. Data is copied into a fresh native buffer (never the read-only mapping).
     */
    public synchronized NDArray toNDArray(String name, NDManager manager) throws SafetensorsException {
        TensorInfo t = info(name);
        DataType type = djlType(t.dtype());
        long[] shape = t.shape();
        long elements = t.numElements();
        long outBytes = elements * type.getNumOfBytes();
        if (outBytes <= maxNDArrayBytes) {
            return create(t, 0, elements, shape, manager);
        }
        if (shape.length == 0 || shape[0] < 2) {
            throw new SafetensorsException("tensor '" + name + "' needs " + outBytes
                    + " bytes in one piece and cannot be sliced along its first dimension");
        }
        long rowElements = elements / shape[0];
        long rowsPerSlice = Math.max(1, maxNDArrayBytes / (rowElements * type.getNumOfBytes()));
        if (rowElements * type.getNumOfBytes() > maxNDArrayBytes) {
            throw new SafetensorsException("tensor '" + name + "': one row along the first dimension needs "
                    + rowElements * type.getNumOfBytes() + " bytes, over the native buffer limit");
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDList parts = new NDList();
            for (long row = 0; row < shape[0]; row += rowsPerSlice) {
                long rows = Math.min(rowsPerSlice, shape[0] - row);
                long[] partShape = shape.clone();
                partShape[0] = rows;
                parts.add(create(t, row * rowElements, rows * rowElements, partShape, scratch));
            }
            NDArray whole = NDArrays.concat(parts, 0);
            whole.attach(manager);
            return whole;
        }
    }

    private NDArray create(TensorInfo t, long firstElement, long count, long[] shape, NDManager manager)
            throws SafetensorsException {
        SafetensorsFile f = owner(t.name());
        DType d = t.dtype();
        DataType type = djlType(d);
        int outSize = type.getNumOfBytes();
        int bytes = (int) (count * outSize);
        if (scratch == null || scratch.capacity() < bytes) {
            scratch = ByteBuffer.allocateDirect(Math.max(bytes, scratch == null ? 0 : scratch.capacity()));
        }
        ByteBuffer out = scratch.clear().limit(bytes).slice().order(ByteOrder.nativeOrder());
        boolean rawCopy = (d == DType.F32 || !d.isFloatingPoint()) && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        int inSize = d.byteSize();
        byte[] block = new byte[(int) Math.min(BLOCK_BYTES, Math.max(count * inSize, 1))];
        ByteBuffer view = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        long startByte = t.dataStart() + firstElement * inSize;
        long length = count * inSize;
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(block.length, length - done);
            f.copy(startByte + done, block, 0, n);
            if (rawCopy) {
                out.put(block, 0, n);
            } else {
                for (int i = 0, k = n / inSize; i < k; i++) {
                    switch (d) {
                        case F16 -> out.putFloat(HalfFloats.f16ToFloat(view.getShort(i * 2)));
                        case BF16 -> out.putFloat(HalfFloats.bf16ToFloat(view.getShort(i * 2)));
                        case F32 -> out.putFloat(view.getFloat(i * 4));
                        case I64 -> out.putLong(view.getLong(i * 8));
                        case I32 -> out.putInt(view.getInt(i * 4));
                        case U8, BOOL -> out.put(view.get(i));
                    }
                }
            }
            done += n;
        }
        out.flip();
        // DJL wraps a direct buffer without copying: copy into PyTorch's memory before the buffer is reused
        try (NDArray wrapped = manager.create(out, new Shape(shape), type)) {
            return wrapped.duplicate();
        }
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}

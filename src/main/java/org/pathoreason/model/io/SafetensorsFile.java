package org.pathoreason.model.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.util.Json;

/**
 * One safetensors file: its validated header and its data section, memory-mapped in chunks so that files (and
 * tensors) over 2 GiB can be read. Layout (little-endian): 8-byte header length N, N bytes of UTF-8 JSON header,
 * then the data section, which the tensors' {@code data_offsets} must tile exactly, without gaps or overlaps.
 */
final class SafetensorsFile implements AutoCloseable {

    /** Default bytes per mapped chunk: under the 2 GiB limit of one MappedByteBuffer. */
    static final long DEFAULT_CHUNK_BYTES = 1L << 30;
    /** Same limit as the reference implementation. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectReader HEADER_READER = Json.MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    final Path path;
    final long dataOffset;
    final long dataLength;
    final Map<String, TensorInfo> tensors;
    final Map<String, String> metadata;
    private final long chunkBytes;
    private volatile ByteBuffer[] chunks;

    private SafetensorsFile(Path path, long dataOffset, long dataLength, Map<String, TensorInfo> tensors,
            Map<String, String> metadata, long chunkBytes, ByteBuffer[] chunks) {
        this.path = path;
        this.dataOffset = dataOffset;
        this.dataLength = dataLength;
        this.tensors = tensors;
        this.metadata = metadata;
        this.chunkBytes = chunkBytes;
        this.chunks = chunks;
    }

    static SafetensorsFile open(Path path, long chunkBytes) throws SafetensorsException {
        if (chunkBytes < 8 || chunkBytes % 8 != 0 || chunkBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("chunk size must be a multiple of 8 below 2 GiB: " + chunkBytes);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw SafetensorsException.at(path, "file is " + fileSize
                        + " bytes, shorter than the 8-byte header length; the file is truncated or not safetensors");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLength = lenBuf.getLong(0);
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw SafetensorsException.at(path, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the " + MAX_HEADER_BYTES + "-byte limit; the file is corrupt or not safetensors");
            }
            if (8 + headerLength > fileSize) {
                throw SafetensorsException.at(path, "header length " + headerLength + " goes beyond the end of the "
                        + "file (" + fileSize + " bytes); the file is truncated or not safetensors");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLength);
            readFully(ch, headerBuf, 8);
            String headerText = decodeUtf8(path, headerBuf);
            long dataOffset = 8 + headerLength;
            long dataLength = fileSize - dataOffset;
            JsonNode header = parseHeader(path, headerText);
            Map<String, String> metadata = readMetadata(path, header);
            Map<String, TensorInfo> tensors = readTensors(path, header, dataLength);
            ByteBuffer[] chunks = map(ch, dataOffset, dataLength, chunkBytes);
            return new SafetensorsFile(path, dataOffset, dataLength, tensors, metadata, chunkBytes, chunks);
        } catch (SafetensorsException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw SafetensorsException.at(path, "file not found", e);
        } catch (IOException e) {
            throw SafetensorsException.at(path, "cannot read: " + e, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
        buf.flip();
    }

    private static String decodeUtf8(Path path, ByteBuffer bytes) throws SafetensorsException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw SafetensorsException.at(path, "header is not valid UTF-8", e);
        }
    }

    private static JsonNode parseHeader(Path path, String text) throws SafetensorsException {
        JsonNode header;
        try {
            header = HEADER_READER.readTree(text);
        } catch (JacksonException e) {
            throw SafetensorsException.at(path, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw SafetensorsException.at(path, "header is not valid JSON: expected an object, got "
                    + (header == null ? "nothing" : header.getNodeType()));
        }
        return header;
    }

    private static Map<String, String> readMetadata(Path path, JsonNode header) throws SafetensorsException {
        JsonNode meta = header.get("__metadata__");
        if (meta == null || meta.isNull()) {
            return Map.of();
        }
        if (!meta.isObject()) {
            throw SafetensorsException.at(path, "__metadata__ must be an object mapping strings to strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw SafetensorsException.at(path, "__metadata__ value for '" + e.getKey()
                        + "' must be a string, got " + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, TensorInfo> readTensors(Path path, JsonNode header, long dataLength)
            throws SafetensorsException {
        List<TensorInfo> infos = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            infos.add(readTensor(path, e.getKey(), e.getValue(), dataLength));
        }
        infos.sort(Comparator.comparingLong(TensorInfo::dataStart).thenComparingLong(TensorInfo::dataEnd));
        long expectedStart = 0;
        TensorInfo previous = null;
        for (TensorInfo t : infos) {
            if (t.dataStart() < expectedStart) {
                throw SafetensorsException.at(path, "tensor '" + t.name() + "' data_offsets [" + t.dataStart() + ", "
                        + t.dataEnd() + ") overlap tensor '" + previous.name() + "' [" + previous.dataStart() + ", "
                        + previous.dataEnd() + ")");
            }
            if (t.dataStart() > expectedStart) {
                throw SafetensorsException.at(path, "bytes [" + expectedStart + ", " + t.dataStart()
                        + ") of the data section belong to no tensor (gap before tensor '" + t.name()
                        + "'); data_offsets must tile the data section");
            }
            expectedStart = t.dataEnd();
            previous = t;
        }
        if (expectedStart != dataLength) {
            throw SafetensorsException.at(path, "tensors cover " + expectedStart + " bytes but the data section has "
                    + dataLength + " bytes; data_offsets must cover the data section exactly (trailing bytes)");
        }
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : infos) {
            byName.put(t.name(), t);
        }
        return Collections.unmodifiableMap(byName);
    }

    private static TensorInfo readTensor(Path path, String name, JsonNode node, long dataLength)
            throws SafetensorsException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw SafetensorsException.at(path, where + ": expected an object with dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw SafetensorsException.at(path, where + ": missing or non-string dtype");
        }
        DType dtype = DType.fromSafetensorsName(dtypeNode.asText());
        if (dtype == null) {
            throw SafetensorsException.at(path, where + ": unknown or unsupported dtype '" + dtypeNode.asText()
                    + "' (supported: " + DType.supportedNames() + ")");
        }
        long[] shape = readLongArray(path, where + ": shape", node.get("shape"), -1);
        long[] offsets = readLongArray(path, where + ": data_offsets", node.get("data_offsets"), 2);
        long start = offsets[0];
        long end = offsets[1];
        if (end < start) {
            throw SafetensorsException.at(path, where + ": data_offsets [" + start + ", " + end
                    + "] end before they start");
        }
        if (end > dataLength) {
            throw SafetensorsException.at(path, where + ": data_offsets [" + start + ", " + end
                    + "] are out of range: the data section has " + dataLength
                    + " bytes (the file may be truncated)");
        }
        long elements;
        long needed;
        try {
            elements = TensorInfo.elementCount(shape);
            needed = Math.multiplyExact(elements, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw SafetensorsException.at(path, where + ": shape " + Arrays.toString(shape) + " overflows");
        }
        if (needed != end - start) {
            throw SafetensorsException.at(path, where + ": shape " + Arrays.toString(shape) + " of "
                    + dtype.safetensorsName() + " needs " + elements + " x " + dtype.byteSize() + " = " + needed
                    + " bytes but data_offsets span " + (end - start) + " bytes");
        }
        return new TensorInfo(name, dtype, shape, start, end);
    }

    private static long[] readLongArray(Path path, String what, JsonNode node, int requiredLength)
            throws SafetensorsException {
        if (node == null || !node.isArray()) {
            throw SafetensorsException.at(path, what + " is missing or not an array");
        }
        if (requiredLength >= 0 && node.size() != requiredLength) {
            throw SafetensorsException.at(path, what + " must have " + requiredLength + " entries, has "
                    + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw SafetensorsException.at(path, what + " entry " + i + " must be a non-negative integer, got "
                        + v);
            }
            out[i] = v.asLong();
        }
        return out;
    }

    private static ByteBuffer[] map(FileChannel ch, long dataOffset, long dataLength, long chunkBytes)
            throws IOException {
        int count = (int) ((dataLength + chunkBytes - 1) / chunkBytes);
        ByteBuffer[] chunks = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long start = i * chunkBytes;
            long size = Math.min(chunkBytes, dataLength - start);
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, dataOffset + start, size);
            chunks[i] = m.order(ByteOrder.LITTLE_ENDIAN);
        }
        return chunks;
    }

    /** Copies {@code len} bytes starting at {@code dataPos} (relative to the data section) into {@code dst}. */
    void copy(long dataPos, byte[] dst, int off, int len) {
        ByteBuffer[] cs = chunks;
        if (cs == null) {
            throw new IllegalStateException(path + ": reader is closed");
        }
        long pos = dataPos;
        int written = 0;
        while (written < len) {
            int chunk = (int) (pos / chunkBytes);
            int within = (int) (pos % chunkBytes);
            int n = Math.min(len - written, cs[chunk].limit() - within);
            cs[chunk].get(within, dst, off + written, n);
            written += n;
            pos += n;
        }
    }

    int chunkCount() {
        ByteBuffer[] cs = chunks;
        return cs == null ? 0 : cs.length;
    }

    @Override
    public void close() {
        // Mappings are released by the garbage collector; dropping them here makes later reads fail loudly.
        chunks = null;
    }
}

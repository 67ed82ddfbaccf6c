package org.pathoreason.wsi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The structure of a TIFF or BigTIFF file: its image file directories (IFDs) and their tags, read with bounds checks
 * so that a truncated or corrupt file fails with the file, the IFD and the tag named. Reads of tile bytes are
 * positional and thread-safe.
 */
final class TiffFile implements AutoCloseable {

    /** More IFDs than this is taken for a loop or garbage (slides have a handful). */
    private static final int MAX_DIRECTORIES = 4096;
    /** More entries than this in one IFD is garbage (real files have a few dozen). */
    private static final long MAX_ENTRIES = 4096;
    /** One tag's values above this many bytes is garbage (a tile offset table of a 200k x 200k slide is ~10 MB). */
    private static final long MAX_VALUE_BYTES = 256L << 20;

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final ByteOrder order;
    private final boolean bigTiff;
    private final List<TiffDirectory> directories;

    private TiffFile(Path path, FileChannel channel, long size, ByteOrder order, boolean bigTiff,
            List<TiffDirectory> directories) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.order = order;
        this.bigTiff = bigTiff;
        this.directories = directories;
    }

    /** True when the file starts with a TIFF or BigTIFF header. */
    static boolean isTiff(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            if (ch.read(b, 0) < 4) {
                return false;
            }
            b.flip();
            int b0 = b.get(0);
            int b1 = b.get(1);
            ByteOrder o = b0 == 'I' && b1 == 'I' ? ByteOrder.LITTLE_ENDIAN
                    : b0 == 'M' && b1 == 'M' ? ByteOrder.BIG_ENDIAN : null;
            if (o == null) {
                return false;
            }
            int magic = b.order(o).getShort(2);
            return magic == 42 || magic == 43;
        } catch (IOException e) {
            return false;
        }
    }

    static TiffFile open(Path path) {
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new SlideException("slide " + path + " does not exist or is not a file");
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SlideException("cannot open slide " + path + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            ByteBuffer head = read(ch, path, size, 0, 16 > size ? (int) size : 16, "the header");
            if (head.remaining() < 8) {
                throw new SlideException(path + ": not a TIFF file (" + size + " bytes, too short for a header)");
            }
            int b0 = head.get(0);
            int b1 = head.get(1);
            ByteOrder order;
            if (b0 == 'I' && b1 == 'I') {
                order = ByteOrder.LITTLE_ENDIAN;
            } else if (b0 == 'M' && b1 == 'M') {
                order = ByteOrder.BIG_ENDIAN;
            } else {
                throw new SlideException(path + ": not a TIFF file (no II/MM byte-order mark)");
            }
            head.order(order);
            int magic = head.getShort(2) & 0xFFFF;
            boolean big;
            long first;
            if (magic == 42) {
                big = false;
                first = head.getInt(4) & 0xFFFFFFFFL;
            } else if (magic == 43) {
                if (head.remaining() < 16) {
                    throw new SlideException(path + ": truncated BigTIFF header (" + size + " bytes)");
                }
                big = true;
                if (head.getShort(4) != 8) {
                    throw new SlideException(path + ": BigTIFF offset size " + head.getShort(4) + ", expected 8");
                }
                first = head.getLong(8);
            } else {
                throw new SlideException(path + ": not a TIFF file (magic number " + magic + ", expected 42 or 43)");
            }
            List<TiffDirectory> dirs = readDirectories(ch, path, size, order, big, first);
            return new TiffFile(path, ch, size, order, big, dirs);
        } catch (IOException e) {
            close(ch);
            throw new SlideException("cannot read slide " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    private static List<TiffDirectory> readDirectories(FileChannel ch, Path path, long size, ByteOrder order,
            boolean big, long offset) throws IOException {
        List<TiffDirectory> dirs = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        while (offset != 0) {
            int index = dirs.size();
            if (index >= MAX_DIRECTORIES || !seen.add(offset)) {
                throw new SlideException(path + ": IFD chain loops or has more than " + MAX_DIRECTORIES
                        + " directories (IFD " + index + " at offset " + offset + ")");
            }
            String where = "IFD " + index;
            int countBytes = big ? 8 : 2;
            ByteBuffer cb = read(ch, path, size, offset, countBytes, where + " entry count").order(order);
            long count = big ? cb.getLong(0) : cb.getShort(0) & 0xFFFF;
            if (count <= 0 || count > MAX_ENTRIES) {
                throw new SlideException(path + ": " + where + " at offset " + offset + " claims " + count
                        + " entries, expected 1.." + MAX_ENTRIES);
            }
            int entrySize = big ? 20 : 12;
            int nextSize = big ? 8 : 4;
            ByteBuffer eb = read(ch, path, size, offset + countBytes, (int) (count * entrySize + nextSize),
                    where + " entries").order(order);
            Map<Integer, TiffEntry> entries = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                int at = i * entrySize;
                int tag = eb.getShort(at) & 0xFFFF;
                int type = eb.getShort(at + 2) & 0xFFFF;
                long n = big ? eb.getLong(at + 4) : eb.getInt(at + 4) & 0xFFFFFFFFL;
                int inline = big ? 8 : 4;
                int unit = TiffEntry.typeSize(type);
                if (unit == 0) {
                    continue; // unknown type: TIFF readers skip such entries
                }
                if (n < 0 || n > MAX_VALUE_BYTES / unit) {
                    throw new SlideException(path + ": " + where + " tag " + tag + " claims " + n
                            + " values, more than this reader accepts");
                }
                long bytes = n * unit;
                ByteBuffer value;
                if (bytes <= inline) {
                    value = eb.slice(at + (big ? 12 : 8), inline).order(order);
                } else {
                    long valueOffset = big ? eb.getLong(at + 12) : eb.getInt(at + 8) & 0xFFFFFFFFL;
                    value = read(ch, path, size, valueOffset, (int) bytes, where + " tag " + tag + " values")
                            .order(order);
                }
                entries.put(tag, TiffEntry.decode(tag, type, (int) n, value));
            }
            dirs.add(new TiffDirectory(index, entries));
            long nextAt = count * entrySize;
            offset = big ? eb.getLong((int) nextAt) : eb.getInt((int) nextAt) & 0xFFFFFFFFL;
        }
        if (dirs.isEmpty()) {
            throw new SlideException(path + ": TIFF file has no image directory");
        }
        return dirs;
    }

    private static ByteBuffer read(FileChannel ch, Path path, long size, long offset, int length, String what)
            throws IOException {
        if (offset < 0 || offset + length > size) {
            throw new SlideException(path + ": " + what + " at offset " + offset + " (" + length
                    + " bytes) lies past the end of the file (" + size + " bytes); the file is truncated or corrupt");
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                throw new SlideException(path + ": unexpected end of file reading " + what);
            }
        }
        b.flip();
        return b;
    }

    /** Reads {@code length} bytes at {@code offset}; safe to call from several threads. */
    byte[] readBytes(long offset, int length, String what) {
        try {
            ByteBuffer b = read(channel, path, size, offset, length, what);
            return b.array();
        } catch (IOException e) {
            throw new SlideException("cannot read " + what + " of slide " + path + ": " + e.getMessage(), e);
        }
    }

    Path path() {
        return path;
    }

    long size() {
        return size;
    }

    boolean bigTiff() {
        return bigTiff;
    }

    ByteOrder order() {
        return order;
    }

    List<TiffDirectory> directories() {
        return directories;
    }

    @Override
    public void close() {
        close(channel);
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written; a failed close of a read-only channel loses nothing
        }
    }

    /** One tag of an IFD with its values decoded: numbers as long[] or double[], ASCII as a String, else bytes. */
    record TiffEntry(int tag, int type, Object value) {

        static int typeSize(int type) {
            return switch (type) {
                case 1, 2, 6, 7 -> 1;
                case 3, 8 -> 2;
                case 4, 9, 11, 13 -> 4;
                case 5, 10, 12, 16, 17, 18 -> 8;
                default -> 0;
            };
        }

        static TiffEntry decode(int tag, int type, int n, ByteBuffer b) {
            Object v = switch (type) {
                case 2 -> {
                    byte[] raw = new byte[n];
                    b.get(0, raw);
                    int end = raw.length;
                    while (end > 0 && raw[end - 1] == 0) {
                        end--;
                    }
                    yield new String(raw, 0, end, StandardCharsets.ISO_8859_1);
                }
                case 1, 7 -> {
                    byte[] raw = new byte[n];
                    b.get(0, raw);
                    yield raw;
                }
                case 5, 10 -> {
                    double[] d = new double[n];
                    for (int i = 0; i < n; i++) {
                        long num = type == 5 ? b.getInt(8 * i) & 0xFFFFFFFFL : b.getInt(8 * i);
                        long den = type == 5 ? b.getInt(8 * i + 4) & 0xFFFFFFFFL : b.getInt(8 * i + 4);
                        d[i] = den == 0 ? 0 : (double) num / den;
                    }
                    yield d;
                }
                case 11 -> {
                    double[] d = new double[n];
                    for (int i = 0; i < n; i++) {
                        d[i] = b.getFloat(4 * i);
                    }
                    yield d;
                }
                case 12 -> {
                    double[] d = new double[n];
                    for (int i = 0; i < n; i++) {
                        d[i] = b.getDouble(8 * i);
                    }
                    yield d;
                }
                default -> {
                    long[] l = new long[n];
                    for (int i = 0; i < n; i++) {
                        l[i] = switch (type) {
                            case 6 -> b.get(i);
                            case 3 -> b.getShort(2 * i) & 0xFFFF;
                            case 8 -> b.getShort(2 * i);
                            case 4, 13 -> b.getInt(4 * i) & 0xFFFFFFFFL;
                            case 9 -> b.getInt(4 * i);
                            default -> b.getLong(8 * i);
                        };
                    }
                    yield l;
                }
            };
            return new TiffEntry(tag, type, v);
        }
    }
}

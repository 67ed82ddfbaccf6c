package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes a tiled pyramidal TIFF (classic or BigTIFF) that OpenSlide reads as a generic tiled TIFF: level 0 from a
 * {@link PixelSource}, each further level half the size of the one before (area-averaged), until a level fits in
 * one tile. Resolution tags carry the microns per pixel. The file appears atomically.
 */
public final class PyramidTiffWriter {

    /** Pixels at level 0, read by region; the writer asks for each tile's area once per level. */
    public interface PixelSource {
        long width();

        long height();

        /** ARGB pixels of the region, row by row ({@code w * h}); outside the image: white. */
        int[] read(long x, long y, int w, int h);
    }

    /** Tile compression. */
    public enum Compression {
        /** JPEG, YCbCr 4:2:0 (as most scanners). */
        JPEG,
        /** Deflate with the horizontal predictor: lossless. */
        DEFLATE,
        NONE
    }

    /**
     * @param tileSize tile side in pixels (a multiple of 16)
     * @param compression tile compression
     * @param jpegQuality 0..1 for {@link Compression#JPEG}
     * @param micronsPerPixel level-0 resolution written to the resolution tags; 0 for none
     * @param description ImageDescription of level 0 (may be empty)
     * @param bigTiff write BigTIFF (needed past 4 GiB)
     */
    public record Options(int tileSize, Compression compression, float jpegQuality, double micronsPerPixel,
            String description, boolean bigTiff) {

        public static final int DEFAULT_TILE_SIZE = 256;

        public Options {
            if (tileSize < 16 || tileSize % 16 != 0 || tileSize > 4096) {
                throw new IllegalArgumentException("tile size must be a multiple of 16 in 16..4096, got " + tileSize);
            }
            Objects.requireNonNull(compression, "compression");
            if (jpegQuality <= 0 || jpegQuality > 1) {
                throw new IllegalArgumentException("JPEG quality must be in (0, 1], got " + jpegQuality);
            }
            description = description == null ? "" : description;
        }

        public static Options defaults() {
            return new Options(DEFAULT_TILE_SIZE, Compression.JPEG, 0.9f, 0, "", false);
        }

        public Options withMicronsPerPixel(double mpp) {
            return new Options(tileSize, compression, jpegQuality, mpp, description, bigTiff);
        }

        public Options withDescription(String d) {
            return new Options(tileSize, compression, jpegQuality, micronsPerPixel, d, bigTiff);
        }

        public Options withCompression(Compression c) {
            return new Options(tileSize, c, jpegQuality, micronsPerPixel, description, bigTiff);
        }

        public Options withTileSize(int t) {
            return new Options(t, compression, jpegQuality, micronsPerPixel, description, bigTiff);
        }

        public Options withBigTiff(boolean b) {
            return new Options(tileSize, compression, jpegQuality, micronsPerPixel, description, b);
        }
    }

    private PyramidTiffWriter() {
    }

    /** A source over an in-memory image. */
    public static PixelSource source(BufferedImage image) {
        int[] px = Images.pixels(image);
        int w = image.getWidth();
        int h = image.getHeight();
        return new PixelSource() {
            @Override
            public long width() {
                return w;
            }

            @Override
            public long height() {
                return h;
            }

            @Override
            public int[] read(long x, long y, int rw, int rh) {
                int[] out = new int[rw * rh];
                java.util.Arrays.fill(out, 0xFFFFFFFF);
                for (int yy = 0; yy < rh; yy++) {
                    long sy = y + yy;
                    if (sy < 0 || sy >= h) {
                        continue;
                    }
                    long x0 = Math.max(0, x);
                    long x1 = Math.min(w, x + rw);
                    if (x0 < x1) {
                        System.arraycopy(px, (int) (sy * w + x0), out, (int) (yy * rw + (x0 - x)), (int) (x1 - x0));
                    }
                }
                return out;
            }
        };
    }

    /** Writes the pyramid to {@code target} (atomically: a temporary file renamed into place). */
    public static void write(Path target, PixelSource source, Options options) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                new Job(ch, source, options).run();
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write slide " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover dot file is harmless
                }
            }
        }
    }

    private static final class Job {
        private final FileChannel ch;
        private final PixelSource source;
        private final Options o;
        private final boolean big;
        private long pos;

        Job(FileChannel ch, PixelSource source, Options o) {
            this.ch = ch;
            this.source = source;
            this.o = o;
            this.big = o.bigTiff();
        }

        void run() throws IOException {
            int headerSize = big ? 16 : 8;
            pos = headerSize;
            List<long[][]> levelChunks = new ArrayList<>();
            List<long[]> sizes = new ArrayList<>();
            long w = source.width();
            long h = source.height();
            int factor = 1;
            while (true) {
                long lw = Math.max(1, w / factor);
                long lh = Math.max(1, h / factor);
                sizes.add(new long[] {lw, lh, factor});
                levelChunks.add(writeLevel(lw, lh, factor));
                if (lw <= o.tileSize() && lh <= o.tileSize()) {
                    break;
                }
                factor *= 2;
            }
            long firstIfd = 0;
            long prevNextPointer = -1;
            for (int i = 0; i < sizes.size(); i++) {
                long[] s = sizes.get(i);
                long ifdAt = align(pos);
                byte[] ifd = ifd(i, s[0], s[1], levelChunks.get(i), ifdAt);
                writeAt(ifdAt, ifd);
                if (i == 0) {
                    firstIfd = ifdAt;
                } else {
                    writeOffset(prevNextPointer, ifdAt);
                }
                prevNextPointer = ifdAt + lastHead - (big ? 8 : 4);
                pos = ifdAt + ifd.length;
            }
            ByteBuffer head = ByteBuffer.allocate(headerSize).order(ByteOrder.LITTLE_ENDIAN);
            head.put((byte) 'I').put((byte) 'I');
            if (big) {
                head.putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(firstIfd);
            } else {
                head.putShort((short) 42).putInt((int) firstIfd);
            }
            writeAt(0, head.array());
        }

        /** Size of the last IFD's count, entries and next pointer (its out-of-line values follow). */
        private int lastHead;

        private static long align(long p) {
            return (p + 1) & ~1L;
        }

        private long[][] writeLevel(long lw, long lh, int factor) throws IOException {
            int t = o.tileSize();
            int cols = (int) ((lw + t - 1) / t);
            int rows = (int) ((lh + t - 1) / t);
            long[] offsets = new long[cols * rows];
            long[] counts = new long[cols * rows];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int[] px = levelTile(c * (long) t, r * (long) t, factor, lw, lh);
                    byte[] data = encode(px, t);
                    int i = r * cols + c;
                    offsets[i] = pos;
                    counts[i] = data.length;
                    writeAt(pos, data);
                    pos += data.length;
                    if (!big && pos > 0xFFFF_FFF0L) {
                        throw new SlideException("slide is larger than 4 GiB: write it as BigTIFF");
                    }
                }
            }
            return new long[][] {offsets, counts};
        }

        /** One tile of a level: the level-0 area under it, area-averaged by {@code factor}; white past the edge. */
        private int[] levelTile(long lx, long ly, int factor, long lw, long lh) {
            int t = o.tileSize();
            int[] out = new int[t * t];
            java.util.Arrays.fill(out, 0xFFFFFFFF);
            int vw = (int) Math.min(t, lw - lx);
            int vh = (int) Math.min(t, lh - ly);
            int[] src = source.read(lx * factor, ly * factor, vw * factor, vh * factor);
            int sw = vw * factor;
            int n = factor * factor;
            for (int y = 0; y < vh; y++) {
                for (int x = 0; x < vw; x++) {
                    int r = 0;
                    int g = 0;
                    int b = 0;
                    for (int dy = 0; dy < factor; dy++) {
                        int base = (y * factor + dy) * sw + x * factor;
                        for (int dx = 0; dx < factor; dx++) {
                            int p = src[base + dx];
                            r += (p >> 16) & 0xFF;
                            g += (p >> 8) & 0xFF;
                            b += p & 0xFF;
                        }
                    }
                    out[y * t + x] = 0xFF000000 | ((r + n / 2) / n) << 16 | ((g + n / 2) / n) << 8 | (b + n / 2) / n;
                }
            }
            return out;
        }

        private byte[] encode(int[] px, int t) throws IOException {
            switch (o.compression()) {
                case JPEG -> {
                    BufferedImage img = new BufferedImage(t, t, BufferedImage.TYPE_INT_RGB);
                    img.setRGB(0, 0, t, t, px, 0, t);
                    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                        writer.setOutput(out);
                        ImageWriteParam p = writer.getDefaultWriteParam();
                        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                        p.setCompressionQuality(o.jpegQuality());
                        writer.write(null, new IIOImage(img, null, null), p);
                    } finally {
                        writer.dispose();
                    }
                    return bytes.toByteArray();
                }
                case DEFLATE, NONE -> {
                    byte[] raw = new byte[t * t * 3];
                    for (int i = 0; i < px.length; i++) {
                        raw[3 * i] = (byte) (px[i] >> 16);
                        raw[3 * i + 1] = (byte) (px[i] >> 8);
                        raw[3 * i + 2] = (byte) px[i];
                    }
                    if (o.compression() == Compression.NONE) {
                        return raw;
                    }
                    for (int y = 0; y < t; y++) {
                        int base = y * t * 3;
                        for (int i = t * 3 - 1; i >= 3; i--) {
                            raw[base + i] = (byte) (raw[base + i] - raw[base + i - 3]);
                        }
                    }
                    Deflater d = new Deflater(6);
                    try {
                        d.setInput(raw);
                        d.finish();
                        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length / 2);
                        byte[] buf = new byte[65536];
                        while (!d.finished()) {
                            int n = d.deflate(buf);
                            bytes.write(buf, 0, n);
                        }
                        return bytes.toByteArray();
                    } finally {
                        d.end();
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        /** The IFD bytes: count, sorted entries, next pointer (0, patched later), then out-of-line values. */
        private byte[] ifd(int level, long w, long h, long[][] chunks, long at) {
            TreeMap<Integer, Object[]> e = new TreeMap<>();
            boolean jpeg = o.compression() == Compression.JPEG;
            e.put(TiffDirectory.NEW_SUBFILE_TYPE, new Object[] {4, new long[] {level == 0 ? 0 : 1}});
            e.put(TiffDirectory.IMAGE_WIDTH, new Object[] {4, new long[] {w}});
            e.put(TiffDirectory.IMAGE_LENGTH, new Object[] {4, new long[] {h}});
            e.put(TiffDirectory.BITS_PER_SAMPLE, new Object[] {3, new long[] {8, 8, 8}});
            e.put(TiffDirectory.COMPRESSION, new Object[] {3, new long[] {switch (o.compression()) {
                case JPEG -> TiffImage.JPEG;
                case DEFLATE -> TiffImage.DEFLATE;
                case NONE -> TiffImage.NONE;
            }}});
            e.put(TiffDirectory.PHOTOMETRIC, new Object[] {3, new long[] {jpeg ? 6 : 2}});
            if (level == 0 && !o.description().isEmpty()) {
                e.put(TiffDirectory.IMAGE_DESCRIPTION, new Object[] {2, o.description()});
            }
            e.put(TiffDirectory.SAMPLES_PER_PIXEL, new Object[] {3, new long[] {3}});
            if (o.micronsPerPixel() > 0) {
                // pixels per centimetre at this level, as a rational with a fixed denominator
                double ppcm = 10_000.0 / (o.micronsPerPixel() * (source.width() / (double) w));
                long den = 10_000;
                e.put(TiffDirectory.X_RESOLUTION, new Object[] {5, new long[] {Math.round(ppcm * den), den}});
                e.put(TiffDirectory.Y_RESOLUTION, new Object[] {5, new long[] {Math.round(ppcm * den), den}});
                e.put(TiffDirectory.RESOLUTION_UNIT, new Object[] {3, new long[] {3}});
            }
            e.put(TiffDirectory.PLANAR_CONFIGURATION, new Object[] {3, new long[] {1}});
            e.put(TiffDirectory.SOFTWARE, new Object[] {2, "PathoReason"});
            if (o.compression() == Compression.DEFLATE) {
                e.put(TiffDirectory.PREDICTOR, new Object[] {3, new long[] {2}});
            }
            e.put(TiffDirectory.TILE_WIDTH, new Object[] {3, new long[] {o.tileSize()}});
            e.put(TiffDirectory.TILE_LENGTH, new Object[] {3, new long[] {o.tileSize()}});
            e.put(TiffDirectory.TILE_OFFSETS, new Object[] {big ? 16 : 4, chunks[0]});
            e.put(TiffDirectory.TILE_BYTE_COUNTS, new Object[] {big ? 16 : 4, chunks[1]});
            if (jpeg) {
                e.put(TiffDirectory.YCBCR_SUBSAMPLING, new Object[] {3, new long[] {2, 2}});
            }
            int entrySize = big ? 20 : 12;
            int countSize = big ? 8 : 2;
            int nextSize = big ? 8 : 4;
            int inline = big ? 8 : 4;
            int head = countSize + e.size() * entrySize + nextSize;
            ByteBuffer extra = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer b = ByteBuffer.allocate(head).order(ByteOrder.LITTLE_ENDIAN);
            if (big) {
                b.putLong(e.size());
            } else {
                b.putShort((short) e.size());
            }
            for (var entry : e.entrySet()) {
                int type = (Integer) entry.getValue()[0];
                Object v = entry.getValue()[1];
                byte[] value = values(type, v);
                long count = v instanceof String s ? s.getBytes(StandardCharsets.ISO_8859_1).length + 1
                        : type == 5 ? ((long[]) v).length / 2 : ((long[]) v).length;
                b.putShort((short) (int) entry.getKey());
                b.putShort((short) type);
                if (big) {
                    b.putLong(count);
                } else {
                    b.putInt((int) count);
                }
                if (value.length <= inline) {
                    byte[] pad = new byte[inline];
                    System.arraycopy(value, 0, pad, 0, value.length);
                    b.put(pad);
                } else {
                    if (extra.remaining() < value.length + 1) {
                        ByteBuffer bigger = ByteBuffer.allocate(extra.capacity() * 2 + value.length)
                                .order(ByteOrder.LITTLE_ENDIAN);
                        extra.flip();
                        bigger.put(extra);
                        extra = bigger;
                    }
                    long valueAt = at + head + extra.position();
                    if (big) {
                        b.putLong(valueAt);
                    } else {
                        b.putInt((int) valueAt);
                    }
                    extra.put(value);
                    if ((extra.position() & 1) == 1) {
                        extra.put((byte) 0);
                    }
                }
            }
            if (big) {
                b.putLong(0);
            } else {
                b.putInt(0);
            }
            byte[] out = new byte[head + extra.position()];
            System.arraycopy(b.array(), 0, out, 0, head);
            System.arraycopy(extra.array(), 0, out, head, extra.position());
            lastHead = head;
            return out;
        }

        private static byte[] values(int type, Object v) {
            if (v instanceof String s) {
                byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
                byte[] z = new byte[raw.length + 1];
                System.arraycopy(raw, 0, z, 0, raw.length);
                return z;
            }
            long[] l = (long[]) v;
            int unit = switch (type) {
                case 3 -> 2;
                case 4, 5 -> 4;
                default -> 8;
            };
            ByteBuffer b = ByteBuffer.allocate(l.length * unit).order(ByteOrder.LITTLE_ENDIAN);
            for (long x : l) {
                switch (unit) {
                    case 2 -> b.putShort((short) x);
                    case 4 -> b.putInt((int) x);
                    default -> b.putLong(x);
                }
            }
            return b.array();
        }

        private void writeOffset(long at, long value) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(big ? 8 : 4).order(ByteOrder.LITTLE_ENDIAN);
            if (big) {
                b.putLong(value);
            } else {
                b.putInt((int) value);
            }
            writeAt(at, b.array());
        }

        private void writeAt(long at, byte[] data) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b, at + b.position());
            }
        }
    }
}

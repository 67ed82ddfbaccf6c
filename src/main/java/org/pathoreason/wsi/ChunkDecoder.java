package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one tile or strip of a {@link TiffImage} into ARGB pixels ({@code chunkWidth x rows}): JPEG (with the
 * shared JPEGTables) through TwelveMonkeys, JPEG 2000 through jai-imageio, LZW, Deflate and PackBits here, with the
 * horizontal predictor. ImageIO readers are not thread-safe, so each decode borrows one from a pool.
 */
final class ChunkDecoder implements AutoCloseable {

    private final ConcurrentLinkedQueue<ImageReader> jpegReaders = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ImageReader> jp2kReaders = new ConcurrentLinkedQueue<>();

    int[] decode(TiffImage img, int index) {
        int length = (int) img.byteCounts[index];
        int rows = img.chunkRows(index);
        int w = img.chunkWidth;
        if (length == 0) {
            return new int[w * rows]; // a tile the scanner never wrote: no tissue data, transparent
        }
        byte[] data = img.file.readBytes(img.offsets[index], length, img.chunkName(index));
        try {
            return switch (img.compression) {
                case TiffImage.JPEG -> jpeg(img, data, w, rows);
                case TiffImage.APERIO_JP2K_RGB, TiffImage.APERIO_JP2K_YCBCR, TiffImage.JPEG2000 ->
                        jpeg2000(img, data, w, rows);
                default -> samples(img, index, data, w, rows);
            };
        } catch (IOException | RuntimeException e) {
            if (e instanceof SlideException se) {
                throw se;
            }
            throw new SlideException("cannot decode " + img.chunkName(index) + " ("
                    + TiffImage.compressionName(img.compression) + "): " + e.getMessage(), e);
        }
    }

    private int[] jpeg(TiffImage img, byte[] data, int w, int rows) throws IOException {
        byte[] stream = data;
        byte[] tables = img.jpegTables;
        if (tables != null && tables.length > 4) {
            // tables stream is SOI ... EOI; the tile is SOI ... EOI: splice tables (without EOI) before the tile
            // (without SOI), which is what libjpeg sees after reading both
            stream = new byte[tables.length - 2 + data.length - 2];
            System.arraycopy(tables, 0, stream, 0, tables.length - 2);
            System.arraycopy(data, 2, stream, tables.length - 2, data.length - 2);
        }
        ImageReader reader = borrow(jpegReaders, "jpeg");
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(stream))) {
            reader.setInput(in, true, true);
            int[] out;
            if (img.photometric == 6 || img.samplesPerPixel == 1) {
                // YCbCr JPEG: the reader converts to RGB
                BufferedImage bi = reader.read(0);
                out = argb(bi, w, rows);
            } else {
                // Photometric RGB: the samples are RGB as coded, no colour transform (as libtiff decodes them)
                Raster r = reader.readRaster(0, null);
                out = fromSamples(r, w, rows, false);
            }
            reader.reset();
            jpegReaders.add(reader);
            return out;
        }
    }

    private int[] jpeg2000(TiffImage img, byte[] data, int w, int rows) throws IOException {
        ImageReader reader = borrow(jp2kReaders, "jpeg2000");
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            Raster r = reader.readRaster(0, null);
            int[] out = fromSamples(r, w, rows, img.compression == TiffImage.APERIO_JP2K_YCBCR);
            // back to the pool only after a clean decode (jai's reset() fails without an input, so no reset)
            jp2kReaders.add(reader);
            return out;
        }
    }

    private static ImageReader borrow(ConcurrentLinkedQueue<ImageReader> pool, String format) {
        ImageReader r = pool.poll();
        if (r != null) {
            return r;
        }
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
        ImageReader fallback = null;
        while (it.hasNext()) {
            ImageReader candidate = it.next();
            String name = candidate.getClass().getName();
            if (name.startsWith("com.twelvemonkeys") || name.startsWith("com.github.jaiimageio")) {
                return candidate;
            }
            if (fallback == null) {
                fallback = candidate;
            }
        }
        if (fallback == null) {
            throw new SlideException("no ImageIO reader for " + format + " on the class path");
        }
        return fallback;
    }

    /** ARGB from a decoded image, padded or cut to {@code w x rows}. */
    private static int[] argb(BufferedImage bi, int w, int rows) {
        int[] out = new int[w * rows];
        int cw = Math.min(w, bi.getWidth());
        int ch = Math.min(rows, bi.getHeight());
        bi.getRGB(0, 0, cw, ch, out, 0, w);
        return out;
    }

    /** ARGB from raw samples (1 grey, 3 RGB or YCbCr, 4 RGBA), padded or cut to {@code w x rows}. */
    static int[] fromSamples(Raster r, int w, int rows, boolean ycbcr) {
        int bands = r.getNumBands();
        int cw = Math.min(w, r.getWidth());
        int ch = Math.min(rows, r.getHeight());
        int shift = Math.max(0, r.getSampleModel().getSampleSize(0) - 8);
        int[] out = new int[w * rows];
        int[] px = new int[cw * bands];
        for (int y = 0; y < ch; y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, cw, 1, px);
            for (int x = 0; x < cw; x++) {
                int o = x * bands;
                int a = 255;
                int red;
                int green;
                int blue;
                if (bands < 3) {
                    red = green = blue = px[o] >> shift;
                    if (bands == 2) {
                        a = px[o + 1] >> shift;
                    }
                } else {
                    red = px[o] >> shift;
                    green = px[o + 1] >> shift;
                    blue = px[o + 2] >> shift;
                    if (bands > 3) {
                        a = px[o + 3] >> shift;
                    }
                    if (ycbcr) {
                        double yy = red;
                        double cb = green - 128;
                        double cr = blue - 128;
                        red = clamp(Math.round(yy + 1.402 * cr));
                        green = clamp(Math.round(yy - 0.344136 * cb - 0.714136 * cr));
                        blue = clamp(Math.round(yy + 1.772 * cb));
                    }
                }
                out[y * w + x] = (a << 24) | (red << 16) | (green << 8) | blue;
            }
        }
        return out;
    }

    private static int clamp(long v) {
        return (int) Math.max(0, Math.min(255, v));
    }

    /** Uncompressed, LZW, Deflate and PackBits chunks: bytes of interleaved 8-bit samples. */
    private static int[] samples(TiffImage img, int index, byte[] data, int w, int rows) {
        int spp = img.samplesPerPixel;
        int need = w * rows * spp;
        byte[] raw = switch (img.compression) {
            case TiffImage.NONE -> data;
            case TiffImage.LZW -> Lzw.decode(data, need);
            case TiffImage.DEFLATE, TiffImage.DEFLATE_OLD -> inflate(data, need, img, index);
            case TiffImage.PACKBITS -> unpackBits(data, need);
            default -> throw new SlideException(img.chunkName(index) + ": unsupported compression "
                    + TiffImage.compressionName(img.compression));
        };
        if (raw.length < need) {
            // short data: decode what is there, the rest stays transparent (libtiff warns and does the same)
            raw = Arrays.copyOf(raw, need);
        }
        if (img.predictor == 2) {
            int rowBytes = w * spp;
            for (int y = 0; y < rows; y++) {
                int base = y * rowBytes;
                for (int i = spp; i < rowBytes; i++) {
                    raw[base + i] = (byte) (raw[base + i] + raw[base + i - spp]);
                }
            }
        }
        int[] out = new int[w * rows];
        boolean whiteIsZero = img.photometric == 0;
        for (int p = 0, o = 0; p < out.length; p++, o += spp) {
            int r;
            int g;
            int b;
            int a = 255;
            if (spp == 1) {
                r = g = b = whiteIsZero ? 255 - (raw[o] & 0xFF) : raw[o] & 0xFF;
            } else {
                r = raw[o] & 0xFF;
                g = raw[o + 1] & 0xFF;
                b = raw[o + 2] & 0xFF;
                if (spp == 4) {
                    a = raw[o + 3] & 0xFF;
                }
            }
            out[p] = (a << 24) | (r << 16) | (g << 8) | b;
        }
        return out;
    }

    private static byte[] inflate(byte[] data, int need, TiffImage img, int index) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(data);
            byte[] out = new byte[need];
            int n = 0;
            while (n < need && !inf.finished()) {
                int k = inf.inflate(out, n, need - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += k;
            }
            return n == need ? out : Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw new SlideException("cannot decode " + img.chunkName(index) + " (Deflate): " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    private static byte[] unpackBits(byte[] data, int need) {
        byte[] out = new byte[need];
        int i = 0;
        int o = 0;
        while (i < data.length && o < need) {
            int n = data[i++];
            if (n >= 0) {
                int len = Math.min(n + 1, Math.min(need - o, data.length - i));
                System.arraycopy(data, i, out, o, len);
                i += n + 1;
                o += len;
            } else if (n != -128 && i < data.length) {
                int len = Math.min(1 - n, need - o);
                Arrays.fill(out, o, o + len, data[i++]);
                o += len;
            }
        }
        return out;
    }

    @Override
    public void close() {
        ImageReader r;
        while ((r = jpegReaders.poll()) != null) {
            r.dispose();
        }
        while ((r = jp2kReaders.poll()) != null) {
            r.dispose();
        }
    }
}

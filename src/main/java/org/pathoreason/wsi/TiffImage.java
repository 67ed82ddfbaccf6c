package org.pathoreason.wsi;

import java.util.Map;

/**
 * One image of a TIFF file (a pyramid level or an associated image) as a grid of chunks, tiles or strips, checked
 * on open: sane dimensions, a supported compression and sample layout, and every chunk inside the file.
 */
final class TiffImage {

    /** Larger sides than this are taken for a corrupt header (the largest slides are ~250k pixels a side). */
    static final long MAX_SIDE = 1L << 24;
    /** Tiles larger than this many pixels are refused (real slides use 240..4096-pixel tiles). */
    static final long MAX_CHUNK_PIXELS = 1L << 26;

    static final int NONE = 1;
    static final int LZW = 5;
    static final int JPEG = 7;
    static final int DEFLATE = 8;
    static final int PACKBITS = 32773;
    static final int DEFLATE_OLD = 32946;
    static final int APERIO_JP2K_YCBCR = 33003;
    static final int APERIO_JP2K_RGB = 33005;
    static final int JPEG2000 = 34712;

    private static final Map<Integer, String> COMPRESSION_NAMES = Map.ofEntries(
            Map.entry(1, "none"), Map.entry(2, "CCITT RLE"), Map.entry(3, "CCITT Group 3"),
            Map.entry(4, "CCITT Group 4"), Map.entry(5, "LZW"), Map.entry(6, "old-style JPEG"),
            Map.entry(7, "JPEG"), Map.entry(8, "Deflate"), Map.entry(32773, "PackBits"),
            Map.entry(32946, "Deflate"), Map.entry(33003, "Aperio JPEG 2000 YCbCr"),
            Map.entry(33005, "Aperio JPEG 2000 RGB"), Map.entry(34712, "JPEG 2000"), Map.entry(34887, "LERC"),
            Map.entry(34925, "LZMA"), Map.entry(50000, "Zstandard"), Map.entry(50001, "WebP"),
            Map.entry(50002, "JPEG XL"), Map.entry(52546, "JPEG XL"));

    final TiffFile file;
    final TiffDirectory dir;
    final int width;
    final int height;
    final int chunkWidth;
    final int chunkHeight;
    final int columns;
    final int rows;
    final boolean tiled;
    final long[] offsets;
    final long[] byteCounts;
    final int compression;
    final int photometric;
    final int samplesPerPixel;
    final int predictor;
    final byte[] jpegTables;

    TiffImage(TiffFile file, TiffDirectory dir) {
        this.file = file;
        this.dir = dir;
        String where = file.path() + ": IFD " + dir.index();
        long w = dir.width();
        long h = dir.height();
        if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE) {
            throw new SlideException(where + ": image dimensions " + w + " x " + h + " are outside 1.." + MAX_SIDE
                    + " pixels a side; the header is corrupt or the slide is not supported");
        }
        width = (int) w;
        height = (int) h;
        tiled = dir.tiled();
        long cw;
        long ch;
        if (tiled) {
            cw = dir.number(TiffDirectory.TILE_WIDTH, 0);
            ch = dir.number(TiffDirectory.TILE_LENGTH, 0);
            offsets = dir.numbers(TiffDirectory.TILE_OFFSETS);
            byteCounts = dir.numbers(TiffDirectory.TILE_BYTE_COUNTS);
        } else {
            cw = w;
            ch = Math.min(dir.number(TiffDirectory.ROWS_PER_STRIP, h), h);
            offsets = dir.numbers(TiffDirectory.STRIP_OFFSETS);
            byteCounts = dir.numbers(TiffDirectory.STRIP_BYTE_COUNTS);
        }
        if (cw <= 0 || ch <= 0 || cw * ch > MAX_CHUNK_PIXELS) {
            throw new SlideException(where + ": " + (tiled ? "tile" : "strip") + " size " + cw + " x " + ch
                    + " is not supported (expected 1.." + MAX_CHUNK_PIXELS + " pixels)");
        }
        chunkWidth = (int) cw;
        chunkHeight = (int) ch;
        columns = (int) ((w + cw - 1) / cw);
        rows = (int) ((h + ch - 1) / ch);
        long chunks = (long) columns * rows;
        if (offsets == null || byteCounts == null) {
            throw new SlideException(where + ": no " + (tiled ? "TileOffsets/TileByteCounts" : "StripOffsets/"
                    + "StripByteCounts") + " tags");
        }
        if (offsets.length != chunks || byteCounts.length != chunks) {
            throw new SlideException(where + ": " + offsets.length + " chunk offsets and " + byteCounts.length
                    + " byte counts, expected " + chunks + " (" + columns + " x " + rows + " "
                    + (tiled ? "tiles" : "strips") + ")");
        }
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] < 0 || byteCounts[i] < 0 || byteCounts[i] > Integer.MAX_VALUE - 16
                    || offsets[i] + byteCounts[i] > file.size()) {
                throw new SlideException(where + ": " + (tiled ? "tile " : "strip ") + i + " at offset " + offsets[i]
                        + " (" + byteCounts[i] + " bytes) lies past the end of the file (" + file.size()
                        + " bytes); the file is truncated or corrupt");
            }
        }
        compression = (int) dir.compression();
        if (!supported(compression)) {
            throw new SlideException(where + ": unsupported compression " + compressionName(compression)
                    + "; supported: none, LZW, JPEG, Deflate, PackBits, JPEG 2000 (Aperio 33003/33005, 34712)"
                    + (OpenSlideLibrary.available() ? "" : "; the OpenSlide backend may read it where libopenslide "
                    + "is installed"));
        }
        samplesPerPixel = (int) dir.number(TiffDirectory.SAMPLES_PER_PIXEL, 1);
        long[] bits = dir.numbers(TiffDirectory.BITS_PER_SAMPLE);
        boolean jpeg2000 = compression == APERIO_JP2K_RGB || compression == APERIO_JP2K_YCBCR
                || compression == JPEG2000;
        if (samplesPerPixel != 1 && samplesPerPixel != 3 && samplesPerPixel != 4) {
            throw new SlideException(where + ": " + samplesPerPixel + " samples per pixel, expected 1, 3 or 4");
        }
        if (bits != null && !jpeg2000) {
            for (long b : bits) {
                if (b != 8) {
                    throw new SlideException(where + ": " + b + " bits per sample, only 8 is supported");
                }
            }
        }
        if (samplesPerPixel > 1 && dir.number(TiffDirectory.PLANAR_CONFIGURATION, 1) != 1) {
            throw new SlideException(where + ": planar (separate-plane) samples are not supported");
        }
        photometric = (int) dir.number(TiffDirectory.PHOTOMETRIC, samplesPerPixel == 1 ? 1 : 2);
        if (photometric == 6 && compression != JPEG) {
            throw new SlideException(where + ": YCbCr samples are supported only in JPEG tiles");
        }
        if (photometric != 0 && photometric != 1 && photometric != 2 && photometric != 6) {
            throw new SlideException(where + ": photometric interpretation " + photometric
                    + " is not supported (expected grey, RGB or YCbCr)");
        }
        predictor = (int) dir.number(TiffDirectory.PREDICTOR, 1);
        if (predictor != 1 && predictor != 2) {
            throw new SlideException(where + ": predictor " + predictor + " is not supported (expected 1 or 2)");
        }
        jpegTables = dir.bytes(TiffDirectory.JPEG_TABLES);
    }

    static boolean supported(int compression) {
        return switch (compression) {
            case NONE, LZW, JPEG, DEFLATE, DEFLATE_OLD, PACKBITS, APERIO_JP2K_RGB, APERIO_JP2K_YCBCR, JPEG2000 -> true;
            default -> false;
        };
    }

    static String compressionName(int compression) {
        String name = COMPRESSION_NAMES.get(compression);
        return name == null ? String.valueOf(compression) : compression + " (" + name + ")";
    }

    int chunkCount() {
        return offsets.length;
    }

    /** Rows of pixels held by chunk {@code index}: the last strip may be shorter; tiles are always whole. */
    int chunkRows(int index) {
        if (tiled) {
            return chunkHeight;
        }
        int row = index / columns;
        return Math.min(chunkHeight, height - row * chunkHeight);
    }

    String chunkName(int index) {
        return (tiled ? "tile " : "strip ") + index + " of IFD " + dir.index() + " in " + file.path();
    }
}

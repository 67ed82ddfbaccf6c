package org.pathoreason.wsi;

import java.util.Map;
import java.util.OptionalDouble;

/** One image file directory (IFD) of a TIFF file: its tags by number. */
record TiffDirectory(int index, Map<Integer, TiffFile.TiffEntry> entries) {

    static final int NEW_SUBFILE_TYPE = 254;
    static final int IMAGE_WIDTH = 256;
    static final int IMAGE_LENGTH = 257;
    static final int BITS_PER_SAMPLE = 258;
    static final int COMPRESSION = 259;
    static final int PHOTOMETRIC = 262;
    static final int IMAGE_DESCRIPTION = 270;
    static final int MAKE = 271;
    static final int MODEL = 272;
    static final int STRIP_OFFSETS = 273;
    static final int SAMPLES_PER_PIXEL = 277;
    static final int ROWS_PER_STRIP = 278;
    static final int STRIP_BYTE_COUNTS = 279;
    static final int X_RESOLUTION = 282;
    static final int Y_RESOLUTION = 283;
    static final int PLANAR_CONFIGURATION = 284;
    static final int RESOLUTION_UNIT = 296;
    static final int SOFTWARE = 305;
    static final int DATE_TIME = 306;
    static final int ARTIST = 315;
    static final int HOST_COMPUTER = 316;
    static final int PREDICTOR = 317;
    static final int TILE_WIDTH = 322;
    static final int TILE_LENGTH = 323;
    static final int TILE_OFFSETS = 324;
    static final int TILE_BYTE_COUNTS = 325;
    static final int EXTRA_SAMPLES = 338;
    static final int SAMPLE_FORMAT = 339;
    static final int JPEG_TABLES = 347;
    static final int YCBCR_SUBSAMPLING = 530;
    static final int COPYRIGHT = 33432;
    static final int DOCUMENT_NAME = 269;

    boolean has(int tag) {
        return entries.containsKey(tag);
    }

    long number(int tag, long fallback) {
        TiffFile.TiffEntry e = entries.get(tag);
        if (e == null) {
            return fallback;
        }
        if (e.value() instanceof long[] l && l.length > 0) {
            return l[0];
        }
        if (e.value() instanceof double[] d && d.length > 0) {
            return (long) d[0];
        }
        return fallback;
    }

    long[] numbers(int tag) {
        TiffFile.TiffEntry e = entries.get(tag);
        if (e == null) {
            return null;
        }
        if (e.value() instanceof long[] l) {
            return l;
        }
        if (e.value() instanceof byte[] b) {
            long[] l = new long[b.length];
            for (int i = 0; i < b.length; i++) {
                l[i] = b[i] & 0xFF;
            }
            return l;
        }
        return null;
    }

    OptionalDouble real(int tag) {
        TiffFile.TiffEntry e = entries.get(tag);
        if (e == null) {
            return OptionalDouble.empty();
        }
        if (e.value() instanceof double[] d && d.length > 0) {
            return OptionalDouble.of(d[0]);
        }
        if (e.value() instanceof long[] l && l.length > 0) {
            return OptionalDouble.of(l[0]);
        }
        return OptionalDouble.empty();
    }

    String text(int tag) {
        TiffFile.TiffEntry e = entries.get(tag);
        return e != null && e.value() instanceof String s ? s : null;
    }

    byte[] bytes(int tag) {
        TiffFile.TiffEntry e = entries.get(tag);
        return e != null && e.value() instanceof byte[] b ? b : null;
    }

    long width() {
        return number(IMAGE_WIDTH, 0);
    }

    long height() {
        return number(IMAGE_LENGTH, 0);
    }

    boolean tiled() {
        return has(TILE_WIDTH) && has(TILE_OFFSETS);
    }

    long compression() {
        return number(COMPRESSION, 1);
    }

    long subfileType() {
        return number(NEW_SUBFILE_TYPE, 0);
    }
}

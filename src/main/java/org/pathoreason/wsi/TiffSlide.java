package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * The pure-Java slide reader for Aperio SVS and generic tiled pyramidal TIFF or BigTIFF, following OpenSlide's rules
 * for both: which directories are levels and which are associated images, and the properties each vendor gets.
 * Decoded tiles are kept in an LRU cache bounded in bytes.
 */
public final class TiffSlide implements Slide {

    /** Default tile cache per slide, in bytes. */
    public static final long DEFAULT_CACHE_BYTES = 64L << 20;

    private final Path path;
    private final TiffFile file;
    private final List<TiffImage> levelImages;
    private final List<Level> levels;
    private final Map<String, TiffImage> associated;
    private final Map<String, String> properties;
    private final TileCache cache;
    private final ChunkDecoder decoder = new ChunkDecoder();
    /** Index of each level's image in the cache keys. */
    private final Map<TiffImage, Integer> imageIds = new LinkedHashMap<>();

    private TiffSlide(Path path, TiffFile file, List<TiffImage> levelImages, Map<String, TiffImage> associated,
            Map<String, String> properties, long cacheBytes) {
        this.path = path;
        this.file = file;
        this.levelImages = levelImages;
        this.associated = associated;
        this.cache = new TileCache(cacheBytes);
        TiffImage base = levelImages.get(0);
        List<Level> ls = new ArrayList<>();
        for (TiffImage img : levelImages) {
            double ds = ((double) base.width / img.width + (double) base.height / img.height) / 2;
            ls.add(new Level(img.width, img.height, ds, img.chunkWidth, img.chunkHeight));
        }
        this.levels = List.copyOf(ls);
        for (TiffImage img : levelImages) {
            imageIds.put(img, imageIds.size());
        }
        for (TiffImage img : associated.values()) {
            imageIds.put(img, imageIds.size());
        }
        Map<String, String> props = new TreeMap<>(properties);
        props.put("openslide.level-count", String.valueOf(levels.size()));
        for (int i = 0; i < levels.size(); i++) {
            Level l = levels.get(i);
            String p = "openslide.level[" + i + "].";
            props.put(p + "width", String.valueOf(l.width()));
            props.put(p + "height", String.valueOf(l.height()));
            props.put(p + "downsample", formatG(l.downsample(), 17));
            props.put(p + "tile-width", String.valueOf(l.tileWidth()));
            props.put(p + "tile-height", String.valueOf(l.tileHeight()));
        }
        this.properties = Collections.unmodifiableMap(props);
    }

    public static TiffSlide open(Path path) {
        return open(path, DEFAULT_CACHE_BYTES);
    }

    /**
     * Opens an Aperio SVS or tiled TIFF/BigTIFF.
     *
     * @param cacheBytes memory bound of the decoded-tile cache
     * @throws SlideException when the file is not a TIFF, is truncated or corrupt, or uses what this reader does not
     *     support (named in the message)
     */
    public static TiffSlide open(Path path, long cacheBytes) {
        TiffFile file = TiffFile.open(path);
        try {
            List<TiffDirectory> dirs = file.directories();
            String description = dirs.get(0).text(TiffDirectory.IMAGE_DESCRIPTION);
            boolean aperio = description != null && description.startsWith("Aperio");
            if (!dirs.get(0).tiled()) {
                throw new SlideException(path + ": not a tiled TIFF (the first image is stored in strips), so not a "
                        + "whole-slide image this reader opens");
            }
            List<TiffImage> levels = new ArrayList<>();
            Map<String, TiffImage> associated = new TreeMap<>();
            Map<String, String> props = new TreeMap<>();
            tiffProperties(dirs.get(0), props);
            if (aperio) {
                for (TiffDirectory d : dirs) {
                    if (d.tiled()) {
                        levels.add(new TiffImage(file, d));
                    } else {
                        String name = d.index() == 1 ? "thumbnail" : aperioAssociatedName(d);
                        if (name != null) {
                            associated.put(name, new TiffImage(file, d));
                        }
                    }
                }
                aperioProperties(description, props);
            } else {
                for (TiffDirectory d : dirs) {
                    // generic TIFF: every tiled image is a level unless it is a mask (NewSubfileType bit 2)
                    if (d.tiled() && (d.subfileType() & 4) == 0) {
                        levels.add(new TiffImage(file, d));
                    }
                }
                levels.sort(Comparator.comparingLong((TiffImage i) -> i.width).reversed());
                props.put(PROPERTY_VENDOR, "generic-tiff");
                mppFromResolution(dirs.get(0), props);
            }
            return new TiffSlide(path, file, levels, associated, props, cacheBytes);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Aperio names label and macro images in the second line of their description ("label 387x463"). */
    private static String aperioAssociatedName(TiffDirectory d) {
        String desc = d.text(TiffDirectory.IMAGE_DESCRIPTION);
        if (desc == null) {
            return null;
        }
        String[] lines = desc.split("\r?\n");
        if (lines.length < 2) {
            return null;
        }
        String first = lines[1].trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
        return first.equals("label") || first.equals("macro") ? first : null;
    }

    /** {@code aperio.KEY} from the first description's {@code |}-separated {@code KEY = VALUE} pairs. */
    private static void aperioProperties(String description, Map<String, String> props) {
        String[] parts = description.split("\\|");
        props.put(PROPERTY_VENDOR, "aperio");
        props.put(PROPERTY_COMMENT, description);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = parts[i].substring(0, eq).trim();
            String value = parts[i].substring(eq + 1).trim();
            if (!key.isEmpty()) {
                props.put("aperio." + key, value);
            }
        }
        copyNumber(props, "aperio.MPP", PROPERTY_MPP_X);
        copyNumber(props, "aperio.MPP", PROPERTY_MPP_Y);
        copyNumber(props, "aperio.AppMag", PROPERTY_OBJECTIVE_POWER);
    }

    private static void copyNumber(Map<String, String> props, String from, String to) {
        String v = props.get(from);
        if (v == null) {
            return;
        }
        try {
            props.put(to, number(Double.parseDouble(v)));
        } catch (NumberFormatException ignored) {
            // a non-numeric value stays under its vendor name only, as OpenSlide does
        }
    }

    /** TIFF resolution in pixels per centimetre or inch gives microns per pixel (OpenSlide 4's generic-tiff rule). */
    private static void mppFromResolution(TiffDirectory d, Map<String, String> props) {
        long unit = d.number(TiffDirectory.RESOLUTION_UNIT, 2);
        double micronsPerUnit = unit == 3 ? 10_000 : unit == 2 ? 25_400 : 0;
        OptionalDouble xr = d.real(TiffDirectory.X_RESOLUTION);
        OptionalDouble yr = d.real(TiffDirectory.Y_RESOLUTION);
        if (micronsPerUnit > 0 && unit == 3 && xr.isPresent() && yr.isPresent() && xr.getAsDouble() > 0
                && yr.getAsDouble() > 0) {
            props.put(PROPERTY_MPP_X, number(micronsPerUnit / xr.getAsDouble()));
            props.put(PROPERTY_MPP_Y, number(micronsPerUnit / yr.getAsDouble()));
        }
    }

    private static void tiffProperties(TiffDirectory d, Map<String, String> props) {
        text(d, TiffDirectory.IMAGE_DESCRIPTION, "tiff.ImageDescription", props);
        text(d, TiffDirectory.MAKE, "tiff.Make", props);
        text(d, TiffDirectory.MODEL, "tiff.Model", props);
        text(d, TiffDirectory.SOFTWARE, "tiff.Software", props);
        text(d, TiffDirectory.DATE_TIME, "tiff.DateTime", props);
        text(d, TiffDirectory.ARTIST, "tiff.Artist", props);
        text(d, TiffDirectory.HOST_COMPUTER, "tiff.HostComputer", props);
        text(d, TiffDirectory.COPYRIGHT, "tiff.Copyright", props);
        text(d, TiffDirectory.DOCUMENT_NAME, "tiff.DocumentName", props);
        // libtiff holds resolutions as floats
        d.real(TiffDirectory.X_RESOLUTION).ifPresent(v -> props.put("tiff.XResolution", formatG((float) v, 17)));
        d.real(TiffDirectory.Y_RESOLUTION).ifPresent(v -> props.put("tiff.YResolution", formatG((float) v, 17)));
        // libtiff reports its default (inch) when the tag is absent, and OpenSlide passes that on
        long unit = d.number(TiffDirectory.RESOLUTION_UNIT, 2);
        props.put("tiff.ResolutionUnit", unit == 1 ? "none" : unit == 3 ? "centimeter" : "inch");
    }

    private static void text(TiffDirectory d, int tag, String name, Map<String, String> props) {
        String v = d.text(tag);
        if (v != null) {
            props.put(name, v);
        }
    }

    /** A number as OpenSlide prints a value it parsed from the vendor's metadata (C's {@code %g}). */
    static String number(double v) {
        return formatG(v, 6);
    }

    /** C's {@code printf("%.<precision>g")}: OpenSlide prints downsamples with 17 digits and parsed values with 6. */
    static String formatG(double v, int precision) {
        if (v == 0) {
            return "0";
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        BigDecimal bd = new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exponent = bd.precision() - bd.scale() - 1;
        bd = bd.stripTrailingZeros();
        if (exponent < -4 || exponent >= precision) {
            BigDecimal mantissa = bd.movePointLeft(exponent).stripTrailingZeros();
            return mantissa.toPlainString() + (exponent < 0 ? "e-" : "e+")
                    + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
        }
        return bd.toPlainString();
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public SlideBackend backend() {
        return SlideBackend.JAVA;
    }

    @Override
    public int levelCount() {
        return levels.size();
    }

    @Override
    public Level level(int level) {
        if (level < 0 || level >= levels.size()) {
            throw new SlideException(path + ": level " + level + " does not exist (the slide has " + levels.size()
                    + " levels)");
        }
        return levels.get(level);
    }

    @Override
    public BufferedImage readRegion(long x, long y, int level, int width, int height) {
        checkRegion(x, y, level, width, height);
        double ds = levels.get(level).downsample();
        double fx = x / ds;
        double fy = y / ds;
        long lx = (long) Math.floor(fx);
        long ly = (long) Math.floor(fy);
        fx -= lx;
        fy -= ly;
        if (fx == 0 && fy == 0) {
            int[] out = new int[width * height];
            paint(levelImages.get(level), lx, ly, width, height, out);
            return Images.argb(out, width, height);
        }
        // a corner between level pixels: OpenSlide paints the tiles at that sub-pixel offset with bilinear
        // filtering (in premultiplied ARGB), so this does the same
        int[] src = new int[(width + 1) * (height + 1)];
        paint(levelImages.get(level), lx, ly, width + 1, height + 1, src);
        return Images.argb(bilinear(src, width, height, fx, fy), width, height);
    }

    /** Samples {@code src} ((w+1) x (h+1)) at (x + fx, y + fy) for each output pixel, premultiplied. */
    static int[] bilinear(int[] src, int w, int h, double fx, double fy) {
        int sw = w + 1;
        double[] wt = {(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy};
        int[] out = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] p = {src[y * sw + x], src[y * sw + x + 1], src[(y + 1) * sw + x], src[(y + 1) * sw + x + 1]};
                double a = 0;
                double r = 0;
                double g = 0;
                double b = 0;
                for (int i = 0; i < 4; i++) {
                    double pa = (p[i] >>> 24) * wt[i];
                    a += pa;
                    r += ((p[i] >> 16) & 0xFF) * pa;
                    g += ((p[i] >> 8) & 0xFF) * pa;
                    b += (p[i] & 0xFF) * pa;
                }
                int ia = (int) Math.round(a);
                if (ia == 0) {
                    continue;
                }
                out[y * w + x] = (ia << 24) | (channel(r / a) << 16) | (channel(g / a) << 8) | channel(b / a);
            }
        }
        return out;
    }

    private static int channel(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Copies the part of {@code img} under [lx, lx+w) x [ly, ly+h) into {@code out}; the rest stays transparent. */
    private void paint(TiffImage img, long lx, long ly, int w, int h, int[] out) {
        long x0 = Math.max(0, lx);
        long y0 = Math.max(0, ly);
        long x1 = Math.min(img.width, lx + w);
        long y1 = Math.min(img.height, ly + h);
        if (x0 >= x1 || y0 >= y1) {
            return;
        }
        int id = imageIds.get(img);
        int c0 = (int) (x0 / img.chunkWidth);
        int c1 = (int) ((x1 - 1) / img.chunkWidth);
        int r0 = (int) (y0 / img.chunkHeight);
        int r1 = (int) ((y1 - 1) / img.chunkHeight);
        for (int r = r0; r <= r1; r++) {
            for (int c = c0; c <= c1; c++) {
                int index = r * img.columns + c;
                int[] tile = chunk(img, id, index);
                long tx = (long) c * img.chunkWidth;
                long ty = (long) r * img.chunkHeight;
                int rows = img.chunkRows(index);
                // the part of this tile inside both the image and the request
                long sx0 = Math.max(tx, x0);
                long sx1 = Math.min(tx + img.chunkWidth, x1);
                long sy0 = Math.max(ty, y0);
                long sy1 = Math.min(ty + rows, y1);
                int len = (int) (sx1 - sx0);
                if (len <= 0) {
                    continue;
                }
                for (long sy = sy0; sy < sy1; sy++) {
                    System.arraycopy(tile, (int) ((sy - ty) * img.chunkWidth + (sx0 - tx)), out,
                            (int) ((sy - ly) * w + (sx0 - lx)), len);
                }
            }
        }
    }

    private int[] chunk(TiffImage img, int id, int index) {
        TileCache.Key key = new TileCache.Key(id, index);
        int[] t = cache.get(key);
        if (t == null) {
            t = decoder.decode(img, index);
            cache.put(key, t);
        }
        return t;
    }

    @Override
    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public Set<String> associatedImageNames() {
        return Collections.unmodifiableSet(associated.keySet());
    }

    @Override
    public BufferedImage associatedImage(String name) {
        TiffImage img = associated.get(name);
        if (img == null) {
            throw new SlideException(path + ": no associated image '" + name + "' (the slide has "
                    + associated.keySet() + ")");
        }
        int[] out = new int[img.width * img.height];
        // associated images are read once, not cached
        for (int i = 0; i < img.chunkCount(); i++) {
            int[] tile = decoder.decode(img, i);
            int c = i % img.columns;
            int r = i / img.columns;
            int tx = c * img.chunkWidth;
            int ty = r * img.chunkHeight;
            int len = Math.min(img.chunkWidth, img.width - tx);
            int rows = Math.min(img.chunkRows(i), img.height - ty);
            for (int y = 0; y < rows; y++) {
                System.arraycopy(tile, y * img.chunkWidth, out, (ty + y) * img.width + tx, len);
            }
        }
        return Images.argb(out, img.width, img.height);
    }

    /** Decoded-tile cache figures: bytes held, hits and misses. */
    public String cacheStatistics() {
        return String.format(Locale.ROOT, "%d tiles, %.1f MiB of %.1f MiB, %d hits, %d misses", cache.size(),
                cache.bytes() / 1048576.0, cache.maxBytes() / 1048576.0, cache.hits(), cache.misses());
    }

    @Override
    public void close() {
        cache.clear();
        decoder.close();
        file.close();
    }
}

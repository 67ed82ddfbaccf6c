package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.pathoreason.util.AtomicFiles;

/**
 * Deep Zoom (DZI) tiles for web viewers (OpenSeadragon), laid out as openslide-python's DeepZoomGenerator makes
 * them: {@code NAME.dzi} and {@code NAME_files/L/COL_ROW.jpeg}, level {@code L} being the slide halved
 * {@code maxLevel - L} times, each tile {@code tileSize} plus {@code overlap} pixels on inner edges, read from the
 * best pyramid level and area-averaged.
 */
public final class DeepZoomWriter {

    /** Tile format. */
    public enum Format {
        JPEG, PNG
    }

    /** @param tileSize tile side without overlap (OpenSlide: 254) @param overlap pixels added on inner edges (1) */
    public record Options(int tileSize, int overlap, Format format, float jpegQuality) {
        public Options {
            if (tileSize < 1 || overlap < 0 || overlap > tileSize || jpegQuality <= 0 || jpegQuality > 1) {
                throw new IllegalArgumentException("DZI tile size " + tileSize + ", overlap " + overlap
                        + ", quality " + jpegQuality + " out of range");
            }
        }

        public static Options defaults() {
            return new Options(254, 1, Format.JPEG, 0.75f);
        }
    }

    /** Listener for the tiles written; library code never prints. */
    public interface Listener {
        void tilesWritten(int done, int total);
    }

    private DeepZoomWriter() {
    }

    /** Number of Deep Zoom levels: halvings until 1 x 1, plus one. */
    static int levelCount(long w, long h) {
        long m = Math.max(w, h);
        int n = 1;
        while (m > 1) {
            m = (m + 1) / 2;
            n++;
        }
        return n;
    }

    /** Number of Deep Zoom levels of a slide (level {@code levelCount - 1} is the full resolution). */
    public static int levelCount(Slide slide) {
        return levelCount(slide.width(), slide.height());
    }

    /** Columns and rows of tiles at Deep Zoom level {@code level}. */
    public static int[] grid(Slide slide, int level, Options o) {
        int levels = levelCount(slide);
        if (level < 0 || level >= levels) {
            throw new SlideException(slide.path() + ": Deep Zoom level " + level + " does not exist (0.." + (levels - 1)
                    + ")");
        }
        long[] d = dims(slide.width(), slide.height(), levels - 1 - level);
        return new int[] {(int) ((d[0] + o.tileSize() - 1) / o.tileSize()),
            (int) ((d[1] + o.tileSize() - 1) / o.tileSize())};
    }

    /**
     * One tile, {@code tileSize} plus {@code overlap} on inner edges, read from the best pyramid level and
     * area-averaged, over white.
     *
     * @throws SlideException for a level, column or row outside the slide
     */
    public static BufferedImage tile(Slide slide, int level, int col, int row, Options o) {
        int[] cr = grid(slide, level, o);
        int cols = cr[0];
        int rows = cr[1];
        if (col < 0 || row < 0 || col >= cols || row >= rows) {
            throw new SlideException(slide.path() + ": Deep Zoom level " + level + " has " + cols + " x " + rows
                    + " tiles; there is no tile " + col + "_" + row);
        }
        long w = slide.width();
        long h = slide.height();
        int shift = levelCount(w, h) - 1 - level;
        long[] d = dims(w, h, shift);
        double scale = Math.pow(2, shift);
        int slideLevel = slide.bestLevelForDownsample(scale);
        double lds = slide.level(slideLevel).downsample();
        long x0 = (long) col * o.tileSize() - (col > 0 ? o.overlap() : 0);
        long y0 = (long) row * o.tileSize() - (row > 0 ? o.overlap() : 0);
        long x1 = Math.min(d[0], (long) (col + 1) * o.tileSize() + (col < cols - 1 ? o.overlap() : 0));
        long y1 = Math.min(d[1], (long) (row + 1) * o.tileSize() + (row < rows - 1 ? o.overlap() : 0));
        int tw = (int) (x1 - x0);
        int th = (int) (y1 - y0);
        // the tile's area in level-0 and in slide-level pixels
        long l0x = Math.round(x0 * scale);
        long l0y = Math.round(y0 * scale);
        int rw = (int) Math.max(1, Math.min(Math.ceil(tw * scale / lds), Math.ceil((w - l0x) / lds)));
        int rh = (int) Math.max(1, Math.min(Math.ceil(th * scale / lds), Math.ceil((h - l0y) / lds)));
        BufferedImage tile = slide.readRegionRgb(l0x, l0y, slideLevel, rw, rh);
        if (rw != tw || rh != th) {
            tile = rw > tw ? Images.resizeArea(tile, tw, th) : Images.resizeBilinear(tile, tw, th);
        }
        return tile;
    }

    /** The {@code .dzi} descriptor. */
    public static String descriptor(Slide slide, Options o) {
        return String.format(Locale.ROOT,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Image xmlns=\"http://schemas.microsoft.com/deepzoom/2008\""
                        + " Format=\"%s\" Overlap=\"%d\" TileSize=\"%d\"><Size Height=\"%d\" Width=\"%d\"/></Image>\n",
                extension(o), o.overlap(), o.tileSize(), slide.height(), slide.width());
    }

    /** {@code jpeg} or {@code png}. */
    public static String extension(Options o) {
        return o.format() == Format.JPEG ? "jpeg" : "png";
    }

    /** A tile encoded in the options' format. */
    public static byte[] encode(BufferedImage img, Options o) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writeImage(img, ios, o);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes {@code outDir/NAME.dzi} and {@code outDir/NAME_files/} (the tile folder appears atomically).
     *
     * @return the .dzi file
     */
    public static Path write(Slide slide, Path outDir, String name, Options o, Listener listener) {
        int levels = levelCount(slide);
        int total = 0;
        for (int l = 0; l < levels; l++) {
            int[] cr = grid(slide, l, o);
            total += cr[0] * cr[1];
        }
        int all = total;
        String ext = extension(o);
        int[] done = {0};
        AtomicFiles.writeFolder(outDir.resolve(name + "_files"), folder -> {
            for (int l = 0; l < levels; l++) {
                int[] cr = grid(slide, l, o);
                Path levelDir = Files.createDirectories(folder.resolve(String.valueOf(l)));
                for (int r = 0; r < cr[1]; r++) {
                    for (int c = 0; c < cr[0]; c++) {
                        try (ImageOutputStream ios = ImageIO.createImageOutputStream(
                                levelDir.resolve(c + "_" + r + "." + ext).toFile())) {
                            writeImage(tile(slide, l, c, r, o), ios, o);
                        }
                        done[0]++;
                        if (listener != null) {
                            listener.tilesWritten(done[0], all);
                        }
                    }
                }
            }
        });
        Path dzi = outDir.resolve(name + ".dzi");
        AtomicFiles.writeString(dzi, descriptor(slide, o));
        return dzi;
    }

    static long[] dims(long w, long h, int halvings) {
        long dw = w;
        long dh = h;
        for (int i = 0; i < halvings; i++) {
            dw = Math.max(1, (dw + 1) / 2);
            dh = Math.max(1, (dh + 1) / 2);
        }
        return new long[] {dw, dh};
    }

    private static void writeImage(BufferedImage img, ImageOutputStream out, Options o) throws IOException {
        if (o.format() == Format.PNG) {
            ImageIO.write(img, "png", out);
            return;
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(o.jpegQuality());
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
    }
}

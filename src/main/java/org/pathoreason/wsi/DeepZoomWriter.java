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

    /**
     * Writes {@code outDir/NAME.dzi} and {@code outDir/NAME_files/} (the tile folder appears atomically).
     *
     * @return the .dzi file
     */
    public static Path write(Slide slide, Path outDir, String name, Options o, Listener listener) {
        long w = slide.width();
        long h = slide.height();
        int levels = levelCount(w, h);
        int total = 0;
        for (int l = 0; l < levels; l++) {
            long[] d = dims(w, h, levels - 1 - l);
            total += (int) (((d[0] + o.tileSize() - 1) / o.tileSize()) * ((d[1] + o.tileSize() - 1) / o.tileSize()));
        }
        int all = total;
        String ext = o.format() == Format.JPEG ? "jpeg" : "png";
        int[] done = {0};
        AtomicFiles.writeFolder(outDir.resolve(name + "_files"), folder -> {
            for (int l = 0; l < levels; l++) {
                int shift = levels - 1 - l;
                long[] d = dims(w, h, shift);
                double scale = Math.pow(2, shift);
                int cols = (int) ((d[0] + o.tileSize() - 1) / o.tileSize());
                int rows = (int) ((d[1] + o.tileSize() - 1) / o.tileSize());
                Path levelDir = Files.createDirectories(folder.resolve(String.valueOf(l)));
                int slideLevel = slide.bestLevelForDownsample(scale);
                double lds = slide.level(slideLevel).downsample();
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        long x0 = (long) c * o.tileSize() - (c > 0 ? o.overlap() : 0);
                        long y0 = (long) r * o.tileSize() - (r > 0 ? o.overlap() : 0);
                        long x1 = Math.min(d[0], (long) (c + 1) * o.tileSize() + (c < cols - 1 ? o.overlap() : 0));
                        long y1 = Math.min(d[1], (long) (r + 1) * o.tileSize() + (r < rows - 1 ? o.overlap() : 0));
                        int tw = (int) (x1 - x0);
                        int th = (int) (y1 - y0);
                        // the tile's area in level-0 and in slide-level pixels
                        long l0x = Math.round(x0 * scale);
                        long l0y = Math.round(y0 * scale);
                        int rw = (int) Math.max(1, Math.min(Math.ceil(tw * scale / lds),
                                Math.ceil((w - l0x) / lds)));
                        int rh = (int) Math.max(1, Math.min(Math.ceil(th * scale / lds),
                                Math.ceil((h - l0y) / lds)));
                        BufferedImage tile = slide.readRegionRgb(l0x, l0y, slideLevel, rw, rh);
                        if (rw != tw || rh != th) {
                            tile = rw > tw ? Images.resizeArea(tile, tw, th) : Images.resizeBilinear(tile, tw, th);
                        }
                        writeImage(tile, levelDir.resolve(c + "_" + r + "." + ext), o);
                        done[0]++;
                        if (listener != null) {
                            listener.tilesWritten(done[0], all);
                        }
                    }
                }
            }
        });
        Path dzi = outDir.resolve(name + ".dzi");
        AtomicFiles.writeString(dzi, String.format(Locale.ROOT,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Image xmlns=\"http://schemas.microsoft.com/deepzoom/2008\""
                        + " Format=\"%s\" Overlap=\"%d\" TileSize=\"%d\"><Size Height=\"%d\" Width=\"%d\"/></Image>\n",
                ext, o.overlap(), o.tileSize(), h, w));
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

    private static void writeImage(BufferedImage img, Path file, Options o) throws IOException {
        if (o.format() == Format.PNG) {
            ImageIO.write(img, "png", file.toFile());
            return;
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
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

package org.pathoreason.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads PNG, JPEG and TIFF (through ImageIO and the TwelveMonkeys plugins) into 8-bit RGB images
 * ({@link BufferedImage#TYPE_INT_RGB}), converted the way the Hugging Face image processors convert with Pillow:
 * alpha dropped (the colour channels kept as stored, as transformers 5's {@code convert_to_rgb}, Pillow's
 * {@code convert("RGB")}, does), grey replicated to three channels, 16-bit samples reduced to their high byte,
 * embedded colour profiles ignored. The image's size is read from its header
 * first and absurdly large images are refused before any pixel is decoded.
 */
public final class ImageFiles {

    /** Default pixel limit: 2^28 (16384 x 16384). */
    public static final long DEFAULT_MAX_PIXELS = 1L << 28;

    private ImageFiles() {
    }

    /** Width and height of an image as stored. */
    public record Dimensions(int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    /** Reads an image as RGB with the default pixel limit. */
    public static BufferedImage read(Path file) throws ImageReadException {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads an image as RGB, refusing images with more than {@code maxPixels} pixels, or more than the JVM heap
     * could hold, before decoding them.
     */
    public static BufferedImage read(Path file, long maxPixels) throws ImageReadException {
        if (!Files.isRegularFile(file)) {
            throw new ImageReadException(file + ": no such image file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ImageReadException(file + ": cannot open the file for reading");
            }
            return decode(in, file.toString(), maxPixels);
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageReadException(file + ": cannot decode image (" + formatName(file) + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reads an encoded image held in memory (e.g. an upload) as RGB, with the same checks as {@link #read(Path,
     * long)}: the size in its header is checked against {@code maxPixels} before any pixel is decoded, so a small
     * file that would decode to a huge image is refused.
     *
     * @param source what the bytes are, for messages (e.g. {@code "messages[0].content[1]"})
     */
    public static BufferedImage read(byte[] encoded, String source, long maxPixels) throws ImageReadException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(encoded))) {
            if (in == null) {
                throw new ImageReadException(source + ": cannot read the image bytes");
            }
            return decode(in, source, maxPixels);
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageReadException(source + ": cannot decode image: " + e.getMessage(), e);
        }
    }

    private static BufferedImage decode(ImageInputStream in, String source, long maxPixels)
            throws IOException, ImageReadException {
        ImageReader reader = readerFor(source, in);
        try {
            reader.setInput(in, true, false);
            Dimensions d = new Dimensions(reader.getWidth(0), reader.getHeight(0));
            checkSize(source, d, maxPixels);
            return toRgb(reader.read(0));
        } finally {
            reader.dispose();
        }
    }

    /** The stored size of an image, read from its header without decoding pixels. */
    public static Dimensions dimensions(Path file) throws ImageReadException {
        if (!Files.isRegularFile(file)) {
            throw new ImageReadException(file + ": no such image file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ImageReadException(file + ": cannot open the file for reading");
            }
            ImageReader reader = readerFor(file, in);
            try {
                reader.setInput(in, true, true);
                return new Dimensions(reader.getWidth(0), reader.getHeight(0));
            } finally {
                reader.dispose();
            }
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageReadException(file + ": cannot read the image header: " + e.getMessage(), e);
        }
    }

    private static ImageReader readerFor(Object file, ImageInputStream in) throws ImageReadException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageReadException(file + ": unsupported or unrecognised image format (expected PNG, JPEG, "
                    + "TIFF, BMP or GIF)");
        }
        return readers.next();
    }

    private static String formatName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "no extension" : n.substring(dot + 1);
    }

    private static void checkSize(Object file, Dimensions d, long maxPixels) throws ImageReadException {
        if (d.width() <= 0 || d.height() <= 0) {
            throw new ImageReadException(file + ": image has no pixels (" + d.width() + " x " + d.height() + ")");
        }
        if (d.pixels() > maxPixels) {
            throw new ImageTooLargeException(file + ": image is " + d.width() + " x " + d.height() + " = " + d.pixels()
                    + " pixels, over the limit of " + maxPixels + "; downsample it or read it as a whole-slide image "
                    + "(tiles)");
        }
        // decoded pixels plus the RGB copy, 4 bytes each at most, must fit comfortably in the heap
        long needed = d.pixels() * 8;
        long heap = Runtime.getRuntime().maxMemory();
        if (needed > heap / 10 * 8) {
            throw new ImageTooLargeException(file + ": image is " + d.width() + " x " + d.height() + " pixels and needs "
                    + (needed >> 20) + " MiB to decode, more than the JVM heap (" + (heap >> 20)
                    + " MiB) can spare; raise -Xmx or tile the image");
        }
    }

    /**
     * Converts any image to {@link BufferedImage#TYPE_INT_RGB} as transformers' {@code convert_to_rgb} does with
     * Pillow's {@code convert("RGB")}: alpha dropped, the colour channels kept as stored (a transparent pixel keeps
     * the colour it was saved with); grey replicated; palette entries looked up; raw RGB samples kept (colour
     * profiles ignored). Other colour spaces (CMYK, ...) go through Java's colour conversion.
     *
     * <p>transformers 4.x composited transparency over white instead; 5.x drops alpha, and so do we. Pathology
     * tiles are opaque, so the two agree on them; they differ only on partially transparent pixels.
     */
    public static BufferedImage toRgb(BufferedImage src) {
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        ColorModel cm = src.getColorModel();
        Raster raster = src.getRaster();
        int colourType = cm.getColorSpace().getType();
        if (cm instanceof IndexColorModel icm) {
            int[] idx = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, idx);
                for (int x = 0; x < w; x++) {
                    dst[y * w + x] = icm.getRGB(idx[x]) & 0xFFFFFF;
                }
            }
        } else if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()
                && (colourType == ColorSpace.TYPE_RGB || colourType == ColorSpace.TYPE_GRAY)
                && raster.getNumBands() == cm.getNumComponents()) {
            copyComponents(raster, cm, colourType == ColorSpace.TYPE_GRAY, w, h, dst);
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                src.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    dst[y * w + x] = row[x] & 0xFFFFFF;
                }
            }
        }
        return out;
    }

    private static void copyComponents(Raster raster, ColorModel cm, boolean grey, int w, int h, int[] dst) {
        int bands = raster.getNumBands();
        int[] shift = new int[bands];
        for (int b = 0; b < bands; b++) {
            shift[b] = Math.max(0, cm.getComponentSize(b) - 8);
        }
        int[] px = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, px);
            for (int x = 0; x < w; x++) {
                int o = x * bands;
                int r;
                int g;
                int b;
                if (grey) {
                    r = g = b = px[o] >>> shift[0];
                } else {
                    r = px[o] >>> shift[0];
                    g = px[o + 1] >>> shift[1];
                    b = px[o + 2] >>> shift[2];
                }
                dst[y * w + x] = (r << 16) | (g << 8) | b;
            }
        }
    }
}

package org.pathoreason.eval.report;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.pathoreason.util.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small PNG copies of sample images for reports, read with ImageIO (PNG, JPEG, TIFF through TwelveMonkeys).
 * Large images are read subsampled, so a big tile never has to be decoded at full size.
 */
public final class Thumbnails {

    private static final Logger LOG = LoggerFactory.getLogger(Thumbnails.class);

    private Thumbnails() {
    }

    /**
     * Writes a PNG no larger than {@code maxSide} on its longer side.
     *
     * @return false (and a log line) when the source cannot be read as an image
     */
    public static boolean write(Path source, Path png, int maxSide) {
        if (!Files.isRegularFile(source)) {
            LOG.info("no image at {}; the report shows the example without it", source);
            return false;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(source.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                LOG.info("{} is not an image ImageIO can read; the report shows the example without it", source);
                return false;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                int step = Math.max(1, Math.max(w, h) / (2 * maxSide));
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage img = reader.read(0, param);
                BufferedImage small = scale(img, maxSide);
                AtomicFiles.write(png, out -> ImageIO.write(small, "png", out));
                return true;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            LOG.info("cannot make a thumbnail of {}: {}", source, e.getMessage());
            return false;
        }
    }

    private static BufferedImage scale(BufferedImage img, int maxSide) {
        int w = img.getWidth();
        int h = img.getHeight();
        double f = Math.min(1.0, maxSide / (double) Math.max(w, h));
        int tw = Math.max(1, (int) Math.round(w * f));
        int th = Math.max(1, (int) Math.round(h * f));
        BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, tw, th);
            g.drawImage(img, 0, 0, tw, th, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}

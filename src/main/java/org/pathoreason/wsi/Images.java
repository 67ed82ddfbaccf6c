package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/** Pixel helpers for slides: white compositing, area-averaged downscaling, thumbnails. */
public final class Images {

    private Images() {
    }

    /** An ARGB image backed by {@code pixels} (no copy). */
    public static BufferedImage argb(int[] pixels, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        int[] data = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(pixels, 0, data, 0, Math.min(pixels.length, data.length));
        return img;
    }

    /** The pixels of an image as ARGB ints, row by row. */
    public static int[] pixels(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_ARGB || img.getType() == BufferedImage.TYPE_INT_RGB) {
            int[] data = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            if (data.length == img.getWidth() * img.getHeight()) {
                if (img.getType() == BufferedImage.TYPE_INT_ARGB) {
                    return data;
                }
                int[] out = new int[data.length];
                for (int i = 0; i < data.length; i++) {
                    out[i] = 0xFF000000 | data[i];
                }
                return out;
            }
        }
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /** ARGB composited over white into an RGB image (OpenSlide's pixels are premultiplied, so this is exact). */
    public static BufferedImage overWhite(BufferedImage argb) {
        int w = argb.getWidth();
        int h = argb.getHeight();
        int[] px = pixels(argb);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            dst[i] = overWhite(px[i]);
        }
        return out;
    }

    static int overWhite(int p) {
        int a = p >>> 24;
        if (a == 255) {
            return p & 0xFFFFFF;
        }
        int r = (p >> 16) & 0xFF;
        int g = (p >> 8) & 0xFF;
        int b = p & 0xFF;
        int inv = 255 - a;
        r = (r * a + 255 * inv + 127) / 255;
        g = (g * a + 255 * inv + 127) / 255;
        b = (b * a + 255 * inv + 127) / 255;
        return (r << 16) | (g << 8) | b;
    }

    /** Area-averaged downscale of an RGB/ARGB image to exactly {@code tw x th} (each output pixel the mean of the
     * source area it covers, fractional edges weighted). */
    public static BufferedImage resizeArea(BufferedImage src, int tw, int th) {
        int w = src.getWidth();
        int h = src.getHeight();
        int[] px = pixels(src);
        double[] acc = new double[tw * th * 4];
        double sx = (double) w / tw;
        double sy = (double) h / th;
        for (int y = 0; y < h; y++) {
            // source row y covers output rows whose spans overlap [y, y+1)
            double oy0 = y / sy;
            double oy1 = (y + 1) / sy;
            for (int ty = (int) oy0; ty < th && ty < oy1; ty++) {
                double wy = Math.min(oy1, ty + 1) - Math.max(oy0, ty);
                if (wy <= 0) {
                    continue;
                }
                int rowBase = ty * tw * 4;
                for (int x = 0; x < w; x++) {
                    int p = px[y * w + x];
                    double ox0 = x / sx;
                    double ox1 = (x + 1) / sx;
                    for (int tx = (int) ox0; tx < tw && tx < ox1; tx++) {
                        double wgt = wy * (Math.min(ox1, tx + 1) - Math.max(ox0, tx));
                        if (wgt <= 0) {
                            continue;
                        }
                        int o = rowBase + tx * 4;
                        acc[o] += wgt * (p >>> 24);
                        acc[o + 1] += wgt * ((p >> 16) & 0xFF);
                        acc[o + 2] += wgt * ((p >> 8) & 0xFF);
                        acc[o + 3] += wgt * (p & 0xFF);
                    }
                }
            }
        }
        // weights are in output-pixel units, so each output pixel's weights sum to 1
        double area = 1.0;
        int[] out = new int[tw * th];
        for (int i = 0; i < out.length; i++) {
            int o = i * 4;
            int a = (int) Math.round(acc[o] * area);
            int r = (int) Math.round(acc[o + 1] * area);
            int g = (int) Math.round(acc[o + 2] * area);
            int b = (int) Math.round(acc[o + 3] * area);
            out[i] = (clamp(a) << 24) | (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
        }
        BufferedImage img = argb(out, tw, th);
        return src.getType() == BufferedImage.TYPE_INT_RGB ? overWhite(img) : img;
    }

    /** Bilinear resize (pixel centres aligned), for the rare upsampling of a patch read from a coarser level. */
    public static BufferedImage resizeBilinear(BufferedImage src, int tw, int th) {
        BufferedImage out = new BufferedImage(tw, th, src.getType() == BufferedImage.TYPE_INT_RGB
                ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB);
        java.awt.Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                    java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, tw, th, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** The size that fits {@code w x h} into {@code maxW x maxH} keeping the aspect ratio, at least 1 x 1. */
    static int[] fit(long w, long h, int maxW, int maxH) {
        double scale = Math.min((double) maxW / w, (double) maxH / h);
        int tw = (int) Math.max(1, Math.min(maxW, Math.round(w * scale)));
        int th = (int) Math.max(1, Math.min(maxH, Math.round(h * scale)));
        return new int[] {tw, th};
    }

    static BufferedImage thumbnail(Slide slide, int maxWidth, int maxHeight) {
        if (maxWidth <= 0 || maxHeight <= 0) {
            throw new SlideException("thumbnail size " + maxWidth + " x " + maxHeight + " must be positive");
        }
        double downsample = Math.max((double) slide.width() / maxWidth, (double) slide.height() / maxHeight);
        int level = slide.bestLevelForDownsample(downsample);
        Level l = slide.level(level);
        if (l.width() * l.height() > Slide.MAX_REGION_PIXELS) {
            throw new SlideException(slide.path() + ": the thumbnail would be read from level " + level + " ("
                    + l.width() + " x " + l.height() + " pixels), which is too large; the slide has no smaller level");
        }
        BufferedImage whole = slide.readRegionRgb(0, 0, level, (int) l.width(), (int) l.height());
        int[] size = fit(l.width(), l.height(), maxWidth, maxHeight);
        if (size[0] >= l.width() && size[1] >= l.height()) {
            return whole;
        }
        return resizeArea(whole, size[0], size[1]);
    }
}

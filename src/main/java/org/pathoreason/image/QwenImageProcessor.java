package org.pathoreason.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The image half of the Qwen2-VL / Qwen2.5-VL processor, step for step as Hugging Face's (Pillow-based)
 * {@code Qwen2VLImageProcessor} does it:
 * <ol>
 *   <li>convert to RGB (alpha dropped, as transformers 5's {@code convert_to_rgb}; see {@link ImageFiles#toRgb}),</li>
 *   <li>{@link #smartResize} to sides that are multiples of {@code patch * merge} (28) within the pixel bounds,</li>
 *   <li>resize with Pillow's bicubic filter ({@link PilBicubic}, 8-bit),</li>
 *   <li>rescale by 1/255 (in double, then to float32) and normalise {@code (x - mean) / std} in float32,</li>
 *   <li>repeat the frame {@code temporal_patch_size} times and cut into patches ordered
 *       {@code (t, h/merge, w/merge, merge_h, merge_w)} x {@code (channel, temporal, patch_y, patch_x)}.</li>
 * </ol>
 * With Pillow-decoded pixels as input the output matches the reference's {@code pixel_values} bit for bit; JPEG
 * decoding may differ from Pillow's libjpeg by a grey level here and there.
 */
public final class QwenImageProcessor {

    /** The largest ratio of long side to short side the reference accepts. */
    public static final double MAX_ASPECT_RATIO = 200;

    private final PreprocessorConfig config;

    public QwenImageProcessor() {
        this(PreprocessorConfig.defaults());
    }

    public QwenImageProcessor(PreprocessorConfig config) {
        this.config = config;
    }

    public PreprocessorConfig config() {
        return config;
    }

    /** A target size in pixels. */
    public record Size(int height, int width) {
    }

    /** {@link #smartResize(int, int, int, long, long)} with transformers' defaults (28, 56*56, 28*28*1280). */
    public static Size smartResize(int height, int width) {
        return smartResize(height, width, 28, 56 * 56, 28 * 28 * 1280);
    }

    /**
     * Transformers' {@code smart_resize}: round each side to the nearest multiple of {@code factor} (Python's
     * round, halves to even); if that exceeds {@code maxPixels}, scale both sides down by
     * {@code beta = sqrt(h*w/max)} and floor to multiples of factor (at least one factor); if below
     * {@code minPixels}, scale up by {@code beta = sqrt(min/(h*w))} and ceil. Computed in the same double
     * arithmetic as CPython, so results agree exactly.
     *
     * @throws IllegalArgumentException when a side is not positive or the aspect ratio exceeds 200
     */
    public static Size smartResize(int height, int width, int factor, long minPixels, long maxPixels) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got height " + height + " and width "
                    + width);
        }
        double ratio = (double) Math.max(height, width) / Math.min(height, width);
        if (ratio > MAX_ASPECT_RATIO) {
            throw new IllegalArgumentException("absolute aspect ratio must be smaller than 200, got " + ratio
                    + " (height " + height + ", width " + width + ")");
        }
        long hBar = (long) Math.rint(height / (double) factor) * factor;
        long wBar = (long) Math.rint(width / (double) factor) * factor;
        double pixels = (double) ((long) height * width);
        if (hBar * wBar > maxPixels) {
            double beta = Math.sqrt(pixels / maxPixels);
            hBar = Math.max(factor, (long) Math.floor(height / beta / factor) * factor);
            wBar = Math.max(factor, (long) Math.floor(width / beta / factor) * factor);
        } else if (hBar * wBar < minPixels) {
            double beta = Math.sqrt(minPixels / pixels);
            hBar = (long) Math.ceil(height * beta / factor) * factor;
            wBar = (long) Math.ceil(width * beta / factor) * factor;
        }
        return new Size(Math.toIntExact(hBar), Math.toIntExact(wBar));
    }

    /** The size this processor resizes an image of {@code height x width} to. */
    public Size targetSize(int height, int width) {
        if (!config.doResize()) {
            return new Size(height, width);
        }
        return smartResize(height, width, config.factor(), config.minPixels(), config.maxPixels());
    }

    /** Reads an image file (PNG, JPEG, TIFF) and processes it. */
    public ProcessedImage process(Path imageFile) throws IOException {
        return process(ImageFiles.read(imageFile));
    }

    /** Processes an image (any type; converted to RGB first). */
    public ProcessedImage process(BufferedImage image) {
        BufferedImage resized = resize(image);
        float[] chw = normalise(resized);
        return patchify(chw, resized.getHeight(), resized.getWidth());
    }

    /** Steps 1-3: RGB conversion and Pillow-exact bicubic resize to the smart-resize target. */
    public BufferedImage resize(BufferedImage image) {
        BufferedImage rgb = image.getType() == BufferedImage.TYPE_INT_RGB ? image : ImageFiles.toRgb(image);
        Size target = targetSize(rgb.getHeight(), rgb.getWidth());
        if (target.height() == rgb.getHeight() && target.width() == rgb.getWidth()) {
            return rgb;
        }
        return PilBicubic.resize(rgb, target.width(), target.height());
    }

    /** Step 4: channel-first float32 values {@code [3, H, W]}, rescaled and normalised as configured. */
    public float[] normalise(BufferedImage rgb) {
        int h = rgb.getHeight();
        int w = rgb.getWidth();
        int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = (float) config.imageMean()[c];
            std[c] = (float) config.imageStd()[c];
        }
        double scale = config.rescaleFactor();
        int plane = h * w;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = px[i];
            for (int c = 0; c < 3; c++) {
                int v = (p >>> (16 - 8 * c)) & 0xFF;
                // transformers rescales in float64 and stores float32, then normalises in float32
                float x = config.doRescale() ? (float) (v * scale) : (float) v;
                if (config.doNormalize()) {
                    x = (x - mean[c]) / std[c];
                }
                out[c * plane + i] = x;
            }
        }
        return out;
    }

    /**
     * Step 5: cuts channel-first values {@code [3, height, width]} of one frame into patch rows. The frame is
     * repeated {@code temporal_patch_size} times; row {@code ((bh * W/m + bw) * m + mh) * m + mw} holds the patch at
     * patch row {@code bh*m + mh}, column {@code bw*m + mw}, and within a row value
     * {@code ((c * T + t) * P + py) * P + px} is channel c of pixel {@code (row*P + py, col*P + px)}.
     */
    public ProcessedImage patchify(float[] chw, int height, int width) {
        int p = config.patchSize();
        int m = config.mergeSize();
        int t = config.temporalPatchSize();
        int unit = p * m;
        if (height % unit != 0 || width % unit != 0) {
            throw new IllegalArgumentException("image " + height + " x " + width + " is not a multiple of "
                    + "patch_size * merge_size = " + unit + " on both sides (resize it first)");
        }
        if (chw.length != 3 * height * width) {
            throw new IllegalArgumentException("expected 3 x " + height + " x " + width + " values, got "
                    + chw.length);
        }
        int gridH = height / p;
        int gridW = width / p;
        int patchDim = 3 * t * p * p;
        float[] out = new float[gridH * gridW * patchDim];
        int plane = height * width;
        int row = 0;
        for (int bh = 0; bh < gridH / m; bh++) {
            for (int bw = 0; bw < gridW / m; bw++) {
                for (int mh = 0; mh < m; mh++) {
                    for (int mw = 0; mw < m; mw++) {
                        int y0 = (bh * m + mh) * p;
                        int x0 = (bw * m + mw) * p;
                        int base = row * patchDim;
                        for (int c = 0; c < 3; c++) {
                            for (int tt = 0; tt < t; tt++) {
                                int o = base + (c * t + tt) * p * p;
                                for (int py = 0; py < p; py++) {
                                    System.arraycopy(chw, c * plane + (y0 + py) * width + x0, out, o + py * p, p);
                                }
                            }
                        }
                        row++;
                    }
                }
            }
        }
        return new ProcessedImage(out, 1, gridH, gridW, m);
    }
}

package org.pathoreason.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.pathoreason.image.ImageFiles;
import org.pathoreason.image.PilBicubic;

/**
 * OpenCLIP's eval preprocessing: RGB, the shorter side resized to the model's size with Pillow's bicubic filter
 * (the longer to {@code int(size * long / short)}), a centre crop, then {@code (x / 255 - mean) / std} per channel
 * into channel-first float32. {@code squash} resizes both sides to the size instead. The crop offset is rounded as
 * torchvision does for OpenCLIP models and truncated as transformers does for Hugging Face ones.
 */
public final class ClipImageProcessor {

    private final ClipConfig.PreprocessConfig config;

    public ClipImageProcessor(ClipConfig.PreprocessConfig config) {
        this.config = config;
    }

    public ClipConfig.PreprocessConfig config() {
        return config;
    }

    /** The side of the square images this processor makes. */
    public int size() {
        return config.size();
    }

    /** Reads and processes an image file: {@code 3 * size * size} values, channel first. */
    public float[] process(Path file) {
        return process(ImageFiles.read(file));
    }

    /** Processes an image (any type; converted to RGB first). */
    public float[] process(BufferedImage image) {
        return normalise(resizeAndCrop(image));
    }

    /** The resized and cropped RGB image, before normalisation. */
    public BufferedImage resizeAndCrop(BufferedImage image) {
        BufferedImage rgb = image.getType() == BufferedImage.TYPE_INT_RGB ? image : ImageFiles.toRgb(image);
        int s = config.size();
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        if (config.resizeMode() == ClipConfig.ResizeMode.SQUASH) {
            return w == s && h == s ? rgb : PilBicubic.resize(rgb, s, s);
        }
        int newW;
        int newH;
        if (w <= h) {
            newW = s;
            newH = (int) ((long) s * h / w);
        } else {
            newH = s;
            newW = (int) ((long) s * w / h);
        }
        BufferedImage resized = newW == w && newH == h ? rgb : PilBicubic.resize(rgb, newW, newH);
        int top = offset(newH - s);
        int left = offset(newW - s);
        if (top == 0 && left == 0 && newW == s && newH == s) {
            return resized;
        }
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        int[] px = resized.getRGB(left, top, s, s, null, 0, s);
        out.setRGB(0, 0, s, s, px, 0, s);
        return out;
    }

    private int offset(int extra) {
        return config.crop() == ClipConfig.CropRounding.ROUND ? (int) Math.rint(extra / 2.0) : extra / 2;
    }

    /** {@code (x / 255 - mean) / std} in float32, channel first. */
    public float[] normalise(BufferedImage rgb) {
        int h = rgb.getHeight();
        int w = rgb.getWidth();
        int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = (float) config.mean()[c];
            std[c] = (float) config.std()[c];
        }
        int plane = h * w;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = px[i];
            for (int c = 0; c < 3; c++) {
                float x = ((p >>> (16 - 8 * c)) & 0xFF) / 255f;
                out[c * plane + i] = (x - mean[c]) / std[c];
            }
        }
        return out;
    }

    /** Processed images stacked into {@code [B, 3, size, size]} in {@code manager}. */
    public NDArray batch(List<float[]> images, NDManager manager) {
        int s = config.size();
        int per = 3 * s * s;
        float[] all = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            float[] one = images.get(i);
            if (one.length != per) {
                throw new IllegalArgumentException("image " + i + " has " + one.length + " values, expected " + per);
            }
            System.arraycopy(one, 0, all, i * per, per);
        }
        return manager.create(all, new Shape(images.size(), 3, s, s));
    }
}

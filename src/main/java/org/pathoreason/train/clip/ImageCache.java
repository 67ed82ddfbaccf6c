package org.pathoreason.train.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.image.ImageReadException;
import org.pathoreason.model.clip.ClipImageProcessor;

/** Preprocessed images by file, kept up to a memory budget (images beyond it are prepared again when used). */
final class ImageCache {

    private final ClipImageProcessor processor;
    private final long budgetBytes;
    private final Map<Path, float[]> cache = new HashMap<>();
    private long usedBytes;

    ImageCache(ClipImageProcessor processor, long budgetBytes) {
        this.processor = processor;
        this.budgetBytes = budgetBytes;
    }

    float[] get(Path image) {
        float[] v = cache.get(image);
        if (v != null) {
            return v;
        }
        try {
            v = processor.process(image);
        } catch (ImageReadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ImageReadException(image + ": " + e.getMessage(), e);
        }
        long bytes = 4L * v.length;
        if (usedBytes + bytes <= budgetBytes) {
            cache.put(image, v);
            usedBytes += bytes;
        }
        return v;
    }

    /** The images of {@code pairs[index]} as {@code [B, 3, S, S]} in {@code step}. */
    NDArray batch(List<ClipPairs.Pair> pairs, int[] index, NDManager step) {
        List<float[]> out = new ArrayList<>(index.length);
        for (int i : index) {
            out.add(get(pairs.get(i).image()));
        }
        return processor.batch(out, step);
    }
}

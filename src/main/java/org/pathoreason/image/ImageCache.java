package org.pathoreason.image;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Images by file, so that each image of a run is decoded and resized once. What is kept is the resized 8-bit image
 * (4 bytes a pixel), not its patches: the float patches are about six times larger (three channels, the frame
 * repeated over the temporal patch), and normalising and cutting them again on each use costs far less than the
 * decode and the bicubic resize. Images are kept while they fit in the byte budget; an image beyond it is read and
 * resized again each time it is used (the result is the same, only slower). Not thread-safe.
 */
public final class ImageCache {

    private final QwenImageProcessor processor;
    private final long budgetBytes;
    private final Map<Path, BufferedImage> cached = new HashMap<>();
    private long cachedBytes;
    private long processed;

    /** The share of the JVM's heap limit one cache may fill, whatever budget it is given. */
    static final double MAX_HEAP_SHARE = 0.25;

    /**
     * @param budgetBytes most bytes of resized images kept (4 bytes a pixel), capped at a quarter of the JVM's heap
     *     limit so that a cache (two when CLIP trains beside SFT) cannot exhaust the heap
     */
    public ImageCache(QwenImageProcessor processor, long budgetBytes) {
        this.processor = Objects.requireNonNull(processor, "processor");
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("image cache budget must be >= 0, got " + budgetBytes);
        }
        this.budgetBytes = Math.min(budgetBytes, (long) (MAX_HEAP_SHARE * Runtime.getRuntime().maxMemory()));
    }

    /** The bytes this cache may hold: the budget given, or less when the heap is small. */
    public long budgetBytes() {
        return budgetBytes;
    }

    public QwenImageProcessor processor() {
        return processor;
    }

    /**
     * The preprocessed image of {@code file}.
     *
     * @throws ImageReadException when the file cannot be read or decoded (the message names it)
     */
    public ProcessedImage get(Path file) {
        Path key = file.toAbsolutePath().normalize();
        BufferedImage resized = cached.get(key);
        if (resized == null) {
            try {
                resized = processor.resize(ImageFiles.read(key));
            } catch (IllegalArgumentException e) {
                // e.g. an aspect ratio the processor refuses
                throw new ImageReadException(key + ": " + e.getMessage(), e);
            }
            processed++;
            long bytes = 4L * resized.getWidth() * resized.getHeight();
            if (cachedBytes + bytes <= budgetBytes) {
                cached.put(key, resized);
                cachedBytes += bytes;
            }
        }
        return processor.patchify(processor.normalise(resized), resized.getHeight(), resized.getWidth());
    }

    /** Images read and resized so far (an image beyond the budget counts each time). */
    public long processedCount() {
        return processed;
    }

    public int cachedCount() {
        return cached.size();
    }

    public long cachedBytes() {
        return cachedBytes;
    }
}

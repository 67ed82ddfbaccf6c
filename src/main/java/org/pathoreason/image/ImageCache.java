package org.pathoreason.image;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Preprocessed images by file, so that each image of a run is decoded, resized and normalised once. Images are
 * kept while they fit in the byte budget; an image beyond it is preprocessed again each time it is used (the
 * result is the same, only slower). Not thread-safe.
 */
public final class ImageCache {

    private final QwenImageProcessor processor;
    private final long budgetBytes;
    private final Map<Path, ProcessedImage> cached = new HashMap<>();
    private long cachedBytes;
    private long processed;

    /**
     * @param budgetBytes most bytes of patch values kept (4 bytes per value)
     */
    public ImageCache(QwenImageProcessor processor, long budgetBytes) {
        this.processor = Objects.requireNonNull(processor, "processor");
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("image cache budget must be >= 0, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
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
        ProcessedImage image = cached.get(key);
        if (image != null) {
            return image;
        }
        try {
            image = processor.process(key);
        } catch (java.io.IOException e) {
            throw new ImageReadException(key + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // e.g. an aspect ratio the processor refuses
            throw new ImageReadException(key + ": " + e.getMessage(), e);
        }
        processed++;
        long bytes = 4L * image.patches().length;
        if (cachedBytes + bytes <= budgetBytes) {
            cached.put(key, image);
            cachedBytes += bytes;
        }
        return image;
    }

    /** Images preprocessed so far (an image beyond the budget counts each time). */
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

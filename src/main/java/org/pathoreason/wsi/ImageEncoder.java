package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.util.List;

/** Turns tiles into feature vectors, a batch at a time (a CLIP image tower, a VLM's vision tower, ...). */
public interface ImageEncoder extends AutoCloseable {

    /** A short name recorded with the features ("qwen2vl-vision:<checkpoint>", ...). */
    String name();

    /** Length of each feature vector. */
    int dimension();

    /** One feature vector per tile, in order. */
    float[][] encode(List<BufferedImage> tiles);

    @Override
    void close();
}

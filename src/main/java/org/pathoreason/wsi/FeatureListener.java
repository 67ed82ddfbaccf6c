package org.pathoreason.wsi;

/** Progress of feature extraction; library code reports here and never prints. */
public interface FeatureListener {

    FeatureListener NONE = new FeatureListener() {
    };

    /** A slide is about to be encoded: {@code tiles} patches. */
    default void slideStarted(String slide, int tiles) {
    }

    /** {@code done} of {@code total} patches of the slide are encoded. */
    default void tilesEncoded(String slide, int done, int total) {
    }

    /** The slide's feature file already exists and is left as it is (resuming). */
    default void slideSkipped(String slide, java.nio.file.Path existing) {
    }

    /** The slide has no patch at these settings, so no file is written for it (as CLAM). */
    default void slideHasNoPatches(String slide) {
    }

    default void slideFinished(String slide, java.nio.file.Path written) {
    }
}

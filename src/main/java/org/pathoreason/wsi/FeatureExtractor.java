package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a slide's patches in batches into a {@link FeatureBag}, and a list of slides into CLAM's layout
 * ({@code OUT/h5_files/NAME.h5}), skipping slides already done so that an interrupted run resumes.
 */
public final class FeatureExtractor {

    /** Patches encoded per batch. */
    public static final int DEFAULT_BATCH = 16;

    private FeatureExtractor() {
    }

    public static FeatureBag extract(Slide slide, TileGrid grid, ImageEncoder encoder, int batchSize,
            FeatureListener listener) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        String name = grid.slideName();
        int n = grid.size();
        listener.slideStarted(name, n);
        float[][] features = new float[n][];
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            List<BufferedImage> batch = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                batch.add(grid.read(slide, i));
            }
            float[][] out = encoder.encode(batch);
            if (out.length != batch.size()) {
                throw new IllegalStateException("encoder " + encoder.name() + " returned " + out.length
                        + " vectors for " + batch.size() + " tiles");
            }
            System.arraycopy(out, 0, features, start, out.length);
            listener.tilesEncoded(name, end, n);
        }
        return new FeatureBag(features, CoordsFiles.coordsArray(grid.coords()));
    }

    /** Where CLAM puts a slide's features under {@code outDir}. */
    public static Path featureFile(Path outDir, String slideName) {
        return outDir.resolve("h5_files").resolve(slideName + ".h5");
    }

    /**
     * Extracts features for each slide into {@code outDir/h5_files/NAME.h5}; slides whose file exists are skipped.
     *
     * @param gridOf the patch grid of an opened slide (tissue detection and tiling)
     * @return the files, one per slide that has patches
     */
    public static List<Path> extractAll(List<Path> slides, SlideBackend backend,
            java.util.function.Function<Slide, TileGrid> gridOf, ImageEncoder encoder, int batchSize, Path outDir,
            FeatureListener listener) {
        List<Path> written = new ArrayList<>();
        for (Path p : slides) {
            String name = Tiler.name(p);
            Path target = featureFile(outDir, name);
            if (Files.isRegularFile(target)) {
                listener.slideSkipped(name, target);
                written.add(target);
                continue;
            }
            try (Slide slide = Slides.open(p, backend)) {
                TileGrid grid = gridOf.apply(slide);
                if (grid.size() == 0) {
                    listener.slideHasNoPatches(name);
                    continue;
                }
                FeatureBag bag = extract(slide, grid, encoder, batchSize, listener);
                bag.write(target, grid, encoder.name());
            }
            listener.slideFinished(name, target);
            written.add(target);
        }
        return written;
    }
}

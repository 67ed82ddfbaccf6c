package org.pathoreason.wsi;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A slide's bag of patch features as CLAM's {@code extract_features_fp.py} writes it: {@code features} (float32
 * {@code [N, D]}) and {@code coords} (int64 {@code [N, 2]}, level-0 corners) in one HDF5 file; the coordinates carry
 * the patch attributes of {@link CoordsFiles} and the encoder's name.
 */
public record FeatureBag(float[][] features, long[][] coords) {

    public FeatureBag {
        if (features.length != coords.length) {
            throw new IllegalArgumentException(features.length + " feature vectors for " + coords.length
                    + " coordinates");
        }
    }

    public int size() {
        return features.length;
    }

    public int dimension() {
        return features.length == 0 ? 0 : features[0].length;
    }

    /** Writes the bag (atomically), with the grid's attributes on {@code coords}. */
    public void write(Path target, TileGrid grid, String encoder) {
        CoordsFiles.requirePatches(target, grid);
        CoordsFiles.writeH5(target, d -> {
            CoordsFiles.putGridAttributes(d, grid);
            d.putAttribute("encoder", encoder);
        }, "coords", coords, "features", features);
    }

    public static FeatureBag read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SlideException("feature file " + file + " does not exist");
        }
        try (HdfFile hdf = new HdfFile(file)) {
            Dataset f = hdf.getDatasetByPath("features");
            Object data = f.getData();
            if (!(data instanceof float[][] features)) {
                throw new SlideException(file + ": dataset 'features' is " + data.getClass().getSimpleName()
                        + ", expected float32 [N, D]");
            }
            return new FeatureBag(features, CoordsFiles.readH5(file).coords());
        } catch (io.jhdf.exceptions.HdfException e) {
            throw new SlideException(file + ": not a readable HDF5 feature file: " + e.getMessage(), e);
        }
    }
}

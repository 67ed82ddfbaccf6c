package org.pathoreason.wsi;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Patches of a slide as CLAM lays them out: top-left corners in level-0 pixels, read at {@code patchLevel} as
 * {@code patchSizeAtLevel}-pixel squares (CLAM's {@code patch_size}) and resized to {@code patchSize} output pixels
 * when the wanted resolution falls between levels.
 *
 * @param coords top-left corners (x, y) in level-0 pixels
 * @param tissueFractions share of tissue under each patch
 * @param patchSize output side in pixels
 * @param patchLevel level the patches are read from
 * @param patchSizeAtLevel side read at {@code patchLevel}
 * @param patchSizeLevel0 footprint side in level-0 pixels (TRIDENT's {@code patch_size_level0})
 * @param stepLevel0 distance between neighbouring patches in level-0 pixels
 * @param resolution what was asked for
 * @param level0Magnification the slide's objective power, or 0 when unknown
 * @param overlap output pixels shared by neighbours
 */
public record TileGrid(String slideName, long slideWidth, long slideHeight, List<long[]> coords,
        double[] tissueFractions, int patchSize, int patchLevel, int patchSizeAtLevel, int patchSizeLevel0,
        int stepLevel0, TilingOptions.Resolution resolution, double level0Magnification, int overlap,
        double levelDownsample, long levelWidth, long levelHeight) {

    public int size() {
        return coords.size();
    }

    /** Patch {@code i} as RGB, {@code patchSize x patchSize}, white where the slide has no data. */
    public BufferedImage read(Slide slide, int i) {
        long[] c = coords.get(i);
        BufferedImage img = slide.readRegionRgb(c[0], c[1], patchLevel, patchSizeAtLevel, patchSizeAtLevel);
        if (patchSizeAtLevel == patchSize) {
            return img;
        }
        return patchSizeAtLevel > patchSize ? Images.resizeArea(img, patchSize, patchSize)
                : Images.resizeBilinear(img, patchSize, patchSize);
    }

    /** The first {@code n} patches (all when there are fewer). */
    public TileGrid first(int n) {
        if (n >= size()) {
            return this;
        }
        return new TileGrid(slideName, slideWidth, slideHeight, List.copyOf(coords.subList(0, n)),
                java.util.Arrays.copyOf(tissueFractions, n), patchSize, patchLevel, patchSizeAtLevel, patchSizeLevel0,
                stepLevel0, resolution, level0Magnification, overlap, levelDownsample, levelWidth, levelHeight);
    }

    /** Magnification of the patches when the slide says its objective power, else 0. */
    public double targetMagnification() {
        return level0Magnification <= 0 ? 0 : level0Magnification * patchSize / patchSizeLevel0;
    }
}

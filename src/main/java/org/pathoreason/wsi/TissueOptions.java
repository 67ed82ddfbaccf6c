package org.pathoreason.wsi;

/**
 * CLAM's tissue segmentation parameters ({@code segment_tissue} and {@code filter_params}), with its defaults.
 *
 * @param level pyramid level to segment, or -1 for the level nearest {@code targetDownsample} (CLAM's
 *     {@code seg_level=-1})
 * @param targetDownsample downsample wanted for segmentation (CLAM: 64): the level nearest it is segmented as it
 *     is, as CLAM does, unless it is larger than 4096 x 4096 pixels, which are area-averaged down to that
 * @param saturationThreshold saturation above which a pixel is tissue ({@code sthresh}), 0..255
 * @param medianKernel odd median-blur size over the saturation ({@code mthresh})
 * @param otsu threshold by Otsu's method instead of {@code saturationThreshold} ({@code use_otsu})
 * @param closeKernel side of the square kernel of the morphological closing, 0 for none ({@code close})
 * @param minTissueArea smallest tissue region kept, in reference patches ({@code a_t})
 * @param minHoleArea smallest hole kept, in reference patches ({@code a_h})
 * @param maxHoles holes kept per region, largest first ({@code max_n_holes})
 * @param referencePatchSize side in level-0 pixels of the reference patch the areas count in ({@code
 *     ref_patch_size}: 512)
 */
public record TissueOptions(int level, double targetDownsample, int saturationThreshold, int medianKernel,
        boolean otsu, int closeKernel, double minTissueArea, double minHoleArea, int maxHoles,
        int referencePatchSize) {

    public TissueOptions {
        if (medianKernel < 1 || medianKernel % 2 == 0) {
            throw new IllegalArgumentException("median kernel must be odd and >= 1, got " + medianKernel);
        }
        if (saturationThreshold < 0 || saturationThreshold > 255) {
            throw new IllegalArgumentException("saturation threshold must be in 0..255, got " + saturationThreshold);
        }
        if (closeKernel < 0 || maxHoles < 0 || minTissueArea < 0 || minHoleArea < 0 || referencePatchSize <= 0
                || targetDownsample < 1) {
            throw new IllegalArgumentException("tissue options must not be negative (close " + closeKernel
                    + ", max holes " + maxHoles + ", areas " + minTissueArea + "/" + minHoleArea
                    + ", target downsample " + targetDownsample + ")");
        }
    }

    /** CLAM's defaults (create_patches_fp.py): sthresh 8, mthresh 7, close 4, a_t 100, a_h 16, 8 holes. */
    public static TissueOptions clamDefaults() {
        return new TissueOptions(-1, 64, 8, 7, false, 4, 100, 16, 8, 512);
    }

    /** CLAM's TCGA preset (tcga.csv): a_t 16, a_h 4. */
    public static TissueOptions tcga() {
        return new TissueOptions(-1, 64, 8, 7, false, 4, 16, 4, 8, 512);
    }

    /** CLAM's biopsy preset (bwh_biopsy.csv): sthresh 15, mthresh 11, close 2, a_t 1, a_h 1, 2 holes; small pieces. */
    public static TissueOptions biopsy() {
        return new TissueOptions(-1, 64, 15, 11, false, 2, 1, 1, 2, 512);
    }

    /** A named preset: {@code default}, {@code tcga} or {@code biopsy}. */
    public enum Preset {
        DEFAULT, TCGA, BIOPSY;

        public TissueOptions options() {
            return switch (this) {
                case DEFAULT -> clamDefaults();
                case TCGA -> tcga();
                case BIOPSY -> biopsy();
            };
        }
    }

    public TissueOptions withLevel(int l) {
        return new TissueOptions(l, targetDownsample, saturationThreshold, medianKernel, otsu, closeKernel,
                minTissueArea, minHoleArea, maxHoles, referencePatchSize);
    }

    public TissueOptions withTargetDownsample(double d) {
        return new TissueOptions(level, d, saturationThreshold, medianKernel, otsu, closeKernel, minTissueArea,
                minHoleArea, maxHoles, referencePatchSize);
    }

    public TissueOptions withSaturationThreshold(int t) {
        return new TissueOptions(level, targetDownsample, t, medianKernel, otsu, closeKernel, minTissueArea,
                minHoleArea, maxHoles, referencePatchSize);
    }

    public TissueOptions withMedianKernel(int k) {
        return new TissueOptions(level, targetDownsample, saturationThreshold, k, otsu, closeKernel, minTissueArea,
                minHoleArea, maxHoles, referencePatchSize);
    }

    public TissueOptions withOtsu(boolean o) {
        return new TissueOptions(level, targetDownsample, saturationThreshold, medianKernel, o, closeKernel,
                minTissueArea, minHoleArea, maxHoles, referencePatchSize);
    }

    public TissueOptions withCloseKernel(int k) {
        return new TissueOptions(level, targetDownsample, saturationThreshold, medianKernel, otsu, k, minTissueArea,
                minHoleArea, maxHoles, referencePatchSize);
    }

    public TissueOptions withMinTissueArea(double a) {
        return new TissueOptions(level, targetDownsample, saturationThreshold, medianKernel, otsu, closeKernel, a,
                minHoleArea, maxHoles, referencePatchSize);
    }

    public TissueOptions withMinHoleArea(double a) {
        return new TissueOptions(level, targetDownsample, saturationThreshold, medianKernel, otsu, closeKernel,
                minTissueArea, a, maxHoles, referencePatchSize);
    }

    public TissueOptions withMaxHoles(int n) {
        return new TissueOptions(level, targetDownsample, saturationThreshold, medianKernel, otsu, closeKernel,
                minTissueArea, minHoleArea, n, referencePatchSize);
    }
}

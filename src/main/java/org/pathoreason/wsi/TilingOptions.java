package org.pathoreason.wsi;

import java.util.Locale;
import java.util.Objects;

/**
 * How to cut a slide into patches.
 *
 * @param patchSize side of a patch in output pixels (CLAM and TRIDENT: 256)
 * @param resolution the resolution patches are taken at: a level, a magnification or microns per pixel
 * @param overlap pixels (at the output resolution) that neighbouring patches share; 0 for none
 * @param minTissueFraction smallest share of tissue (by the mask) under a patch that keeps it
 */
public record TilingOptions(int patchSize, Resolution resolution, int overlap, double minTissueFraction) {

    /** The resolution of the patches. */
    public record Resolution(Kind kind, double value) {

        public enum Kind {
            /** A pyramid level: patches are that level's pixels. */
            LEVEL,
            /** An objective magnification (20 for 20x), from the slide's objective power. */
            MAGNIFICATION,
            /** Microns per pixel, from the slide's mpp. */
            MPP
        }

        public Resolution {
            Objects.requireNonNull(kind, "kind");
            if (value < 0 || (kind != Kind.LEVEL && value == 0) || Double.isNaN(value)) {
                throw new IllegalArgumentException("resolution " + kind + " must be positive, got " + value);
            }
        }

        public static Resolution level(int level) {
            return new Resolution(Kind.LEVEL, level);
        }

        public static Resolution magnification(double x) {
            return new Resolution(Kind.MAGNIFICATION, x);
        }

        public static Resolution mpp(double micronsPerPixel) {
            return new Resolution(Kind.MPP, micronsPerPixel);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case LEVEL -> "level " + (int) value;
                case MAGNIFICATION -> String.format(Locale.ROOT, "%gx", value);
                case MPP -> String.format(Locale.ROOT, "%g mpp", value);
            };
        }
    }

    public static final int DEFAULT_PATCH_SIZE = 256;
    public static final double DEFAULT_MIN_TISSUE = 0.25;

    public TilingOptions {
        Objects.requireNonNull(resolution, "resolution");
        if (patchSize < 8 || patchSize > 8192) {
            throw new IllegalArgumentException("patch size must be in 8..8192, got " + patchSize);
        }
        if (overlap < 0 || overlap >= patchSize) {
            throw new IllegalArgumentException("overlap must be in 0.." + (patchSize - 1) + ", got " + overlap);
        }
        if (minTissueFraction < 0 || minTissueFraction > 1) {
            throw new IllegalArgumentException("minimum tissue fraction must be in 0..1, got " + minTissueFraction);
        }
    }

    /** 256-pixel patches at level 0, no overlap, a quarter tissue at least. */
    public static TilingOptions defaults() {
        return new TilingOptions(DEFAULT_PATCH_SIZE, Resolution.level(0), 0, DEFAULT_MIN_TISSUE);
    }

    public TilingOptions withPatchSize(int p) {
        return new TilingOptions(p, resolution, overlap, minTissueFraction);
    }

    public TilingOptions withResolution(Resolution r) {
        return new TilingOptions(patchSize, r, overlap, minTissueFraction);
    }

    public TilingOptions withOverlap(int o) {
        return new TilingOptions(patchSize, resolution, o, minTissueFraction);
    }

    public TilingOptions withMinTissueFraction(double f) {
        return new TilingOptions(patchSize, resolution, overlap, f);
    }
}

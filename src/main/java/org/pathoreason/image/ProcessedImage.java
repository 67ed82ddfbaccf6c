package org.pathoreason.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * One image ready for the Qwen2.5-VL vision tower: {@code numPatches()} rows of {@code patchDim()} floats
 * (channel x temporal x patch x patch, 3 x 2 x 14 x 14 = 1176 by default), rows ordered as Hugging Face's processor
 * orders them (merge windows of {@code mergeSize x mergeSize} patches kept together), and the grid it reports as
 * {@code image_grid_thw}.
 *
 * @param patches   row-major {@code [numPatches, patchDim]} values
 * @param gridT     temporal groups (1 for a still image)
 * @param gridH     patch rows (resized height / patch size)
 * @param gridW     patch columns (resized width / patch size)
 * @param mergeSize patches merged per side into one language-model token (2)
 */
public record ProcessedImage(float[] patches, int gridT, int gridH, int gridW, int mergeSize) {

    public ProcessedImage {
        long n = (long) gridT * gridH * gridW;
        if (n <= 0 || patches.length % n != 0) {
            throw new IllegalArgumentException("patches (" + patches.length + " values) do not divide into "
                    + gridT + " x " + gridH + " x " + gridW + " patches");
        }
        if (gridH % mergeSize != 0 || gridW % mergeSize != 0) {
            throw new IllegalArgumentException("grid " + gridH + " x " + gridW + " is not a multiple of the merge "
                    + "size " + mergeSize);
        }
    }

    /** With the default merge size of 2. */
    public ProcessedImage(float[] patches, int gridT, int gridH, int gridW) {
        this(patches, gridT, gridH, gridW, 2);
    }

    public int numPatches() {
        return gridT * gridH * gridW;
    }

    /** Values per patch: channels x temporal patch x patch x patch. */
    public int patchDim() {
        return patches.length / numPatches();
    }

    /** Tokens the image takes in the language model after the patch merger: t*h*w / merge^2. */
    public int numMergedTokens() {
        return numPatches() / (mergeSize * mergeSize);
    }

    /** {@code image_grid_thw} as transformers reports it. */
    public long[] gridThw() {
        return new long[] {gridT, gridH, gridW};
    }

    /** The patches as a FLOAT32 NDArray of shape {@code [numPatches, patchDim]}. */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(patches, new Shape(numPatches(), patchDim()));
    }
}

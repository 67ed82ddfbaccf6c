package org.pathoreason.model;

import java.util.List;

/**
 * One sequence to continue: its token ids (image pad runs included) and its images' patches.
 *
 * @param tokenIds the prompt's ids
 * @param pixelPatches this prompt's images' patches, flattened, in order (empty without images)
 * @param imageGrids per image {t, h, w} in patches
 */
public record Prompt(long[] tokenIds, float[] pixelPatches, List<int[]> imageGrids) {

    public Prompt {
        if (tokenIds == null || tokenIds.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
        pixelPatches = pixelPatches == null ? new float[0] : pixelPatches;
        imageGrids = imageGrids == null ? List.of() : List.copyOf(imageGrids);
    }

    public static Prompt text(long... ids) {
        return new Prompt(ids, null, null);
    }
}

package org.pathoreason.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * Prompts with their completions laid out for scoring (SFT, RL): prompts left-padded to one length {@code P},
 * completions right-padded after them, so every completion starts at column {@code P} and
 * {@code model.tokenLogProbs(input, firstTarget)} returns one column per completion position.
 *
 * @param input the batch
 * @param firstTarget the first completion column ({@code P})
 * @param completionMask {@code [batch][T - P]}: 1 where the completion has a token, 0 where it is padding
 */
public record CompletionBatch(ModelInput input, int firstTarget, int[][] completionMask) {

    /**
     * Builds the batch.
     *
     * @param prompts prompt ids per row (image pad runs included)
     * @param completions completion ids per row (at least one row non-empty)
     * @param padId id written into padding
     * @param pixelPatches all images' patches in row order (may be null)
     * @param imageGrids per image {t, h, w} (may be null)
     */
    public static CompletionBatch of(List<long[]> prompts, List<long[]> completions, long padId,
                                     float[] pixelPatches, List<int[]> imageGrids) {
        if (prompts.size() != completions.size() || prompts.isEmpty()) {
            throw new ModelException("need one completion per prompt, got " + prompts.size() + " prompts and "
                    + completions.size() + " completions");
        }
        int p = 0;
        int c = 0;
        for (int b = 0; b < prompts.size(); b++) {
            if (prompts.get(b).length == 0) {
                throw new ModelException("prompt " + b + " is empty");
            }
            p = Math.max(p, prompts.get(b).length);
            c = Math.max(c, completions.get(b).length);
        }
        if (c == 0) {
            throw new ModelException("every completion is empty");
        }
        int batch = prompts.size();
        long[][] ids = new long[batch][p + c];
        int[][] mask = new int[batch][p + c];
        int[][] completionMask = new int[batch][c];
        for (int b = 0; b < batch; b++) {
            long[] prompt = prompts.get(b);
            long[] completion = completions.get(b);
            Arrays.fill(ids[b], padId);
            System.arraycopy(prompt, 0, ids[b], p - prompt.length, prompt.length);
            System.arraycopy(completion, 0, ids[b], p, completion.length);
            Arrays.fill(mask[b], p - prompt.length, p + completion.length, 1);
            Arrays.fill(completionMask[b], 0, completion.length, 1);
        }
        return new CompletionBatch(new ModelInput(ids, mask, pixelPatches, imageGrids), p, completionMask);
    }

    /** The completion mask as a float32 array {@code [batch, T - P]} in {@code manager}. */
    public NDArray completionMask(NDManager manager) {
        int b = completionMask.length;
        int c = completionMask[0].length;
        float[] flat = new float[b * c];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < c; j++) {
                flat[i * c + j] = completionMask[i][j];
            }
        }
        return manager.create(flat, new Shape(b, c));
    }
}

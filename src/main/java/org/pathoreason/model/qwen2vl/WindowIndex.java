package org.pathoreason.model.qwen2vl;

import java.util.Arrays;
import java.util.List;

/**
 * The order in which the vision tower visits patches, as Qwen2.5-VL's {@code get_window_index} defines it: merged
 * tokens (2 x 2 patches) are regrouped window by window (windows row-major, tokens row-major inside a window), so
 * that every attention window is a contiguous run of the sequence. The patch merger's output is put back into
 * image order with {@link #reverse()}.
 *
 * @param order merged-token indexes (over all images of the batch) in window order ({@code window_index})
 * @param reverse the inverse permutation of {@code order} ({@code argsort(window_index)})
 * @param windowBoundaries start of every window in patches, plus the total ({@code cu_window_seqlens} after
 *     dropping empty windows)
 * @param frameBoundaries start of every image frame in patches, plus the total ({@code cu_seqlens}): the segments
 *     of the full-attention blocks
 * @param mergeUnit patches per merged token
 */
public record WindowIndex(int[] order, int[] reverse, int[] windowBoundaries, int[] frameBoundaries, int mergeUnit) {

    /**
     * Computes the window order of a batch of images.
     *
     * @param grids per image {t, h, w} in patches
     * @param mergeSize patches per side of a merged token (2)
     * @param windowTokens window side in merged tokens ({@code window_size / merge / patch})
     */
    public static WindowIndex compute(List<int[]> grids, int mergeSize, int windowTokens) {
        int totalTokens = 0;
        int totalFrames = 0;
        int unit = mergeSize * mergeSize;
        for (int[] g : grids) {
            checkGrid(g, mergeSize);
            totalTokens += g[0] * (g[1] / mergeSize) * (g[2] / mergeSize);
            totalFrames += g[0];
        }
        int[] order = new int[totalTokens];
        int[] windows = new int[totalTokens + 1];
        int[] frames = new int[totalFrames + 1];
        int nWindows = 0;
        int nFrames = 0;
        int filled = 0;
        int base = 0;
        int patchStart = 0;
        for (int[] g : grids) {
            int gh = g[1] / mergeSize;
            int gw = g[2] / mergeSize;
            int windowRows = (gh + windowTokens - 1) / windowTokens;
            int windowCols = (gw + windowTokens - 1) / windowTokens;
            for (int t = 0; t < g[0]; t++) {
                for (int wr = 0; wr < windowRows; wr++) {
                    for (int wc = 0; wc < windowCols; wc++) {
                        int r1 = Math.min(gh, (wr + 1) * windowTokens);
                        int c1 = Math.min(gw, (wc + 1) * windowTokens);
                        for (int r = wr * windowTokens; r < r1; r++) {
                            for (int c = wc * windowTokens; c < c1; c++) {
                                order[filled++] = base + (t * gh + r) * gw + c;
                            }
                        }
                        windows[++nWindows] = filled * unit;
                    }
                }
                frames[++nFrames] = patchStart + (t + 1) * gh * gw * unit;
            }
            base += g[0] * gh * gw;
            patchStart += g[0] * gh * gw * unit;
        }
        int[] reverse = new int[totalTokens];
        for (int i = 0; i < totalTokens; i++) {
            reverse[order[i]] = i;
        }
        return new WindowIndex(order, reverse, Arrays.copyOf(windows, nWindows + 1), frames, unit);
    }

    /** Patch rows in window order: merged token {@code order[k]}'s patches, kept together. */
    public long[] patchOrder() {
        long[] rows = new long[order.length * mergeUnit];
        for (int k = 0; k < order.length; k++) {
            for (int u = 0; u < mergeUnit; u++) {
                rows[k * mergeUnit + u] = (long) order[k] * mergeUnit + u;
            }
        }
        return rows;
    }

    static void checkGrid(int[] g, int mergeSize) {
        if (g == null || g.length != 3 || g[0] <= 0 || g[1] <= 0 || g[2] <= 0 || g[1] % mergeSize != 0
                || g[2] % mergeSize != 0) {
            throw new org.pathoreason.model.ModelException("image grid must be {t, h, w} with positive sizes and h, w "
                    + "multiples of " + mergeSize + ", got " + Arrays.toString(g));
        }
    }
}

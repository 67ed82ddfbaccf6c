package org.pathoreason.model.qwen2vl;

import java.util.Arrays;
import java.util.List;
import org.pathoreason.model.ModelException;

/**
 * Multimodal rotary position ids of a batch, as Qwen2.5-VL's {@code get_rope_index} computes them: text tokens
 * advance all three axes (temporal, height, width) by one; the pad tokens of an image (after its vision-start
 * token) take {@code start + (t, h, w)} over the merged grid; text after an image resumes at the largest position
 * so far plus one. Padding positions (mask 0) get 1, as in the reference.
 *
 * @param positions {@code [3][batch][length]}
 * @param deltas per row: largest position + 1 - row length; the position of the token at cache index {@code c} in
 *     later decoding steps is {@code c + delta}
 */
public record RopeIndex(long[][][] positions, long[] deltas) {

    /**
     * Computes position ids.
     *
     * @param ids token ids {@code [batch][length]}
     * @param mask 1 for real tokens, 0 for padding, same shape (null: all real)
     * @param grids per image of the batch, in order, {t, h, w} in patches
     * @param config the model (token ids and merge size)
     */
    public static RopeIndex compute(long[][] ids, int[][] mask, List<int[]> grids, Qwen2VLConfig config) {
        int batch = ids.length;
        int length = batch == 0 ? 0 : ids[0].length;
        long image = config.tokens().imageTokenId();
        long video = config.tokens().videoTokenId();
        long visionStart = config.tokens().visionStartTokenId();
        int merge = config.vision().spatialMergeSize();
        long[][][] pos = new long[3][batch][length];
        long[] deltas = new long[batch];
        int imageIndex = 0;
        for (int b = 0; b < batch; b++) {
            int[] real = realColumns(mask == null ? null : mask[b], length);
            long[] tokens = new long[real.length];
            for (int i = 0; i < real.length; i++) {
                tokens[i] = ids[b][real[i]];
            }
            long[][] rowPos = new long[3][tokens.length];
            int images = 0;
            for (int i = 0; i + 1 < tokens.length; i++) {
                if (tokens[i] == visionStart) {
                    if (tokens[i + 1] == image) {
                        images++;
                    } else if (tokens[i + 1] == video) {
                        throw new ModelException("row " + b + ": video inputs are not supported");
                    }
                }
            }
            int st = 0;
            long next = 0;
            for (int k = 0; k < images; k++) {
                int ed = indexOf(tokens, image, st);
                if (ed < 0) {
                    throw new ModelException("row " + b + ": a vision-start token is followed by an image token but "
                            + "no image token was found after position " + st);
                }
                if (imageIndex >= grids.size()) {
                    throw new ModelException("row " + b + " has more images than the " + grids.size()
                            + " image grids given");
                }
                int[] g = grids.get(imageIndex++);
                WindowIndex.checkGrid(g, merge);
                int gt = g[0];
                int gh = g[1] / merge;
                int gw = g[2] / merge;
                for (int i = st; i < ed; i++) {
                    long p = next + (i - st);
                    rowPos[0][i] = p;
                    rowPos[1][i] = p;
                    rowPos[2][i] = p;
                }
                long base = next + (ed - st);
                int n = gt * gh * gw;
                if (ed + n > tokens.length) {
                    throw new ModelException("row " + b + ": image " + (imageIndex - 1) + " needs " + n
                            + " image tokens from position " + ed + " but the row ends first");
                }
                long max = base - 1;
                int i = ed;
                for (int t = 0; t < gt; t++) {
                    for (int h = 0; h < gh; h++) {
                        for (int w = 0; w < gw; w++) {
                            // images have second_per_grid_t = 0, so the temporal index stays 0
                            rowPos[0][i] = base;
                            rowPos[1][i] = base + h;
                            rowPos[2][i] = base + w;
                            max = Math.max(max, Math.max(base + h, base + w));
                            i++;
                        }
                    }
                }
                next = max + 1;
                st = ed + n;
            }
            for (int i = st; i < tokens.length; i++) {
                long p = next + (i - st);
                rowPos[0][i] = p;
                rowPos[1][i] = p;
                rowPos[2][i] = p;
            }
            long rowMax = Long.MIN_VALUE;
            for (int a = 0; a < 3; a++) {
                Arrays.fill(pos[a][b], 1L);
                for (int i = 0; i < real.length; i++) {
                    pos[a][b][real[i]] = rowPos[a][i];
                    rowMax = Math.max(rowMax, rowPos[a][i]);
                }
            }
            deltas[b] = (real.length == 0 ? 0 : rowMax + 1) - length;
        }
        if (imageIndex != grids.size()) {
            throw new ModelException("the batch has " + imageIndex + " images (vision-start + image tokens) but "
                    + grids.size() + " image grids were given");
        }
        return new RopeIndex(pos, deltas);
    }

    private static int[] realColumns(int[] maskRow, int length) {
        if (maskRow == null) {
            int[] all = new int[length];
            for (int i = 0; i < length; i++) {
                all[i] = i;
            }
            return all;
        }
        int n = 0;
        for (int m : maskRow) {
            n += m == 1 ? 1 : 0;
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < length; i++) {
            if (maskRow[i] == 1) {
                out[k++] = i;
            }
        }
        return out;
    }

    private static int indexOf(long[] tokens, long value, int from) {
        for (int i = from; i < tokens.length; i++) {
            if (tokens[i] == value) {
                return i;
            }
        }
        return -1;
    }
}

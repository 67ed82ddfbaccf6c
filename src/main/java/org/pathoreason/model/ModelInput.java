package org.pathoreason.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One batch for a vision-language model, on the host: token ids with their attention mask, and the pixel patches
 * of every image of the batch (rows in order, images in the order their pad runs appear in the rows).
 *
 * @param inputIds {@code [batch][length]} token ids, image pad tokens included
 * @param attentionMask {@code [batch][length]}, 1 for real tokens and 0 for padding
 * @param pixelPatches all images' patches flattened, {@code [numPatches * patchValues]} (1176 values per patch
 *     for Qwen2.5-VL); empty when the batch has no image
 * @param imageGrids per image {@code {t, h, w}} in patches
 */
public record ModelInput(long[][] inputIds, int[][] attentionMask, float[] pixelPatches, List<int[]> imageGrids) {

    public ModelInput {
        if (inputIds == null || inputIds.length == 0) {
            throw new ModelException("a batch needs at least one row of token ids");
        }
        int length = inputIds[0].length;
        if (length == 0) {
            throw new ModelException("rows of token ids must not be empty");
        }
        for (int b = 0; b < inputIds.length; b++) {
            if (inputIds[b].length != length) {
                throw new ModelException("row " + b + " has " + inputIds[b].length + " tokens, row 0 has " + length
                        + " (pad rows to one length)");
            }
        }
        if (attentionMask == null) {
            attentionMask = new int[inputIds.length][length];
            for (int[] row : attentionMask) {
                Arrays.fill(row, 1);
            }
        }
        if (attentionMask.length != inputIds.length) {
            throw new ModelException("attention mask has " + attentionMask.length + " rows, ids have "
                    + inputIds.length);
        }
        for (int b = 0; b < attentionMask.length; b++) {
            if (attentionMask[b].length != length) {
                throw new ModelException("attention mask row " + b + " has " + attentionMask[b].length
                        + " columns, expected " + length);
            }
            for (int m : attentionMask[b]) {
                if (m != 0 && m != 1) {
                    throw new ModelException("attention mask row " + b + " holds " + m + "; only 0 and 1 are allowed");
                }
            }
        }
        pixelPatches = pixelPatches == null ? new float[0] : pixelPatches;
        imageGrids = imageGrids == null ? List.of() : List.copyOf(imageGrids);
        for (int[] g : imageGrids) {
            if (g == null || g.length != 3) {
                throw new ModelException("each image grid must be {t, h, w}, got " + Arrays.toString(g));
            }
        }
    }

    /** Text only, no padding. */
    public static ModelInput text(long[]... rows) {
        return new ModelInput(rows, null, null, null);
    }

    public int batchSize() {
        return inputIds.length;
    }

    public int length() {
        return inputIds[0].length;
    }

    /**
     * Pads sequences of different lengths to one length.
     *
     * @param sequences token ids per row
     * @param padId the id written into padding (never attended to)
     * @param left pad on the left (generation: every row ends at the last column) or on the right (training)
     * @param pixelPatches all images' patches in row order (may be null)
     * @param imageGrids per image {t, h, w} (may be null)
     */
    public static ModelInput padded(List<long[]> sequences, long padId, boolean left, float[] pixelPatches,
                                    List<int[]> imageGrids) {
        int length = 0;
        for (long[] s : sequences) {
            length = Math.max(length, s.length);
        }
        long[][] ids = new long[sequences.size()][length];
        int[][] mask = new int[sequences.size()][length];
        for (int b = 0; b < sequences.size(); b++) {
            long[] s = sequences.get(b);
            int offset = left ? length - s.length : 0;
            Arrays.fill(ids[b], padId);
            System.arraycopy(s, 0, ids[b], offset, s.length);
            Arrays.fill(mask[b], offset, offset + s.length, 1);
        }
        return new ModelInput(ids, mask, pixelPatches, imageGrids);
    }

    /**
     * Prompts left-padded into one batch with their images: generation's layout, every row ending at the last column.
     */
    public static ModelInput leftPadded(List<Prompt> prompts, long padId) {
        List<long[]> ids = new ArrayList<>();
        List<float[]> patches = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        for (Prompt p : prompts) {
            ids.add(p.tokenIds());
            patches.add(p.pixelPatches());
            grids.addAll(p.imageGrids());
        }
        return padded(ids, padId, true, concatPatches(patches), grids);
    }

    /** Concatenates per-image patch arrays in order (for {@link #padded}). */
    public static float[] concatPatches(List<float[]> perImage) {
        int total = 0;
        for (float[] p : perImage) {
            total += p.length;
        }
        float[] out = new float[total];
        int at = 0;
        for (float[] p : perImage) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The row-major list of columns that are real tokens, per row. */
    public List<int[]> realColumns() {
        List<int[]> out = new ArrayList<>();
        for (int[] row : attentionMask) {
            int n = 0;
            for (int m : row) {
                n += m;
            }
            int[] cols = new int[n];
            int k = 0;
            for (int i = 0; i < row.length; i++) {
                if (row[i] == 1) {
                    cols[k++] = i;
                }
            }
            out.add(cols);
        }
        return out;
    }
}

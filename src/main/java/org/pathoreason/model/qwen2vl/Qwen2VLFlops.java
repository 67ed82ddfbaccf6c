package org.pathoreason.model.qwen2vl;

import java.util.List;

/**
 * Floating-point operations of the matrix products of a Qwen2.5-VL forward pass (a multiply-add counts as 2),
 * the usual yardstick for throughput: a backward pass costs about twice the forward, so a training step is about
 * three forwards. Element-wise work (norms, rotary, softmax) is left out, as it is in such estimates.
 */
public final class Qwen2VLFlops {

    private Qwen2VLFlops() {
    }

    /**
     * FLOPs of one forward over a batch.
     *
     * @param batch rows
     * @param length columns per row (all attend causally over the whole row)
     * @param scoredColumns columns per row whose logits are computed ({@code lm_head})
     * @param grids the batch's images, {t, h, w} in patches
     */
    public static double forward(Qwen2VLConfig config, int batch, int length, int scoredColumns, List<int[]> grids) {
        Qwen2VLConfig.TextConfig t = config.text();
        double h = t.hiddenSize();
        double kv = (double) t.numKvHeads() * t.headDim();
        double perTokenLayer = 2 * (h * h + 2 * h * kv + h * h + 3 * h * t.intermediateSize());
        double tokens = (double) batch * length;
        double text = t.numLayers() * (tokens * perTokenLayer + 4.0 * batch * h * length * length);
        double head = 2.0 * h * t.vocabSize() * batch * scoredColumns;
        return text + head + vision(config, grids);
    }

    /**
     * FLOPs of {@code steps} cached decoding steps of {@code batch} rows after a prompt of {@code promptLength}
     * columns: step {@code s} (from 1) adds one column and attends over {@code promptLength + s} keys; logits of the
     * new column only.
     */
    public static double decode(Qwen2VLConfig config, int batch, int promptLength, int steps) {
        Qwen2VLConfig.TextConfig t = config.text();
        double h = t.hiddenSize();
        double kv = (double) t.numKvHeads() * t.headDim();
        double perTokenLayer = 2 * (h * h + 2 * h * kv + h * h + 3 * h * t.intermediateSize());
        double flops = 0;
        for (int s = 1; s <= steps; s++) {
            double keys = promptLength + s;
            flops += batch * (t.numLayers() * (perTokenLayer + 4.0 * h * keys) + 2.0 * h * t.vocabSize());
        }
        return flops;
    }

    /** FLOPs of the vision tower and merger for the given images. */
    public static double vision(Qwen2VLConfig config, List<int[]> grids) {
        if (grids.isEmpty()) {
            return 0;
        }
        Qwen2VLConfig.VisionConfig v = config.vision();
        double vh = v.hiddenSize();
        WindowIndex windows = WindowIndex.compute(grids, v.spatialMergeSize(), v.windowInMergedTokens());
        int[] frames = windows.frameBoundaries();
        double patches = frames[frames.length - 1];
        double perPatchBlock = 2 * (3 * vh * vh + vh * vh + 3 * vh * v.intermediateSize());
        double flops = 2.0 * v.patchValues() * vh * patches;
        for (int i = 0; i < v.depth(); i++) {
            int[] segments = v.fullAttentionBlocks().contains(i) ? frames : windows.windowBoundaries();
            double attention = 0;
            for (int s = 0; s + 1 < segments.length; s++) {
                double len = segments[s + 1] - segments[s];
                attention += 4 * vh * len * len;
            }
            flops += patches * perPatchBlock + attention;
        }
        double merged = patches / v.mergeUnit();
        double mh = vh * v.mergeUnit();
        flops += 2 * merged * (mh * mh + mh * v.outHiddenSize());
        return flops;
    }
}

package org.pathoreason.model.qwen2vl;

import java.util.List;
import java.util.Random;

/** Small configs and inputs for model tests. */
public final class TinyModels {

    public static final int IMAGE = 90;
    public static final int VIDEO = 91;
    public static final int VISION_START = 92;
    public static final int VISION_END = 93;
    public static final int BOS = 94;
    public static final int EOS = 95;
    public static final int VOCAB = 100;

    private TinyModels() {
    }

    public static Qwen2VLConfig.SpecialTokenIds tokenIds() {
        return new Qwen2VLConfig.SpecialTokenIds(IMAGE, VIDEO, VISION_START, VISION_END, BOS, EOS);
    }

    /**
     * The built-in tiny architecture with a larger initialisation than transformers' 0.02, so that the outputs
     * of different code paths differ visibly when something is wrong.
     */
    public static Qwen2VLConfig config(boolean tied) {
        Qwen2VLConfig tiny = Qwen2VLConfig.tiny(VOCAB, tokenIds());
        Qwen2VLConfig.VisionConfig v = tiny.vision();
        Qwen2VLConfig.TextConfig t = tiny.text();
        return new Qwen2VLConfig(
                new Qwen2VLConfig.VisionConfig(v.depth(), v.hiddenSize(), v.intermediateSize(), v.numHeads(),
                        v.outHiddenSize(), v.patchSize(), v.spatialMergeSize(), v.temporalPatchSize(), v.windowSize(),
                        v.fullAttentionBlocks(), v.inChannels(), v.tokensPerSecond(), 0.15),
                new Qwen2VLConfig.TextConfig(t.vocabSize(), t.hiddenSize(), t.intermediateSize(), 2, t.numHeads(),
                        t.numKvHeads(), t.rmsNormEps(), t.ropeTheta(), t.mropeSection(), tied,
                        t.maxPositionEmbeddings(), 0.15),
                tokenIds());
    }

    /** Random pixel patches for one image of the given grid (t, h, w in patches). */
    public static float[] patches(int[] grid, long seed) {
        Random r = new Random(seed);
        float[] out = new float[grid[0] * grid[1] * grid[2] * 1176];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    /** A prompt: text, vision start, the image's pad run (t*h*w/4 tokens), vision end, more text. */
    public static long[] prompt(int[] grid, long[] before, long[] after) {
        int pads = grid[0] * grid[1] * grid[2] / 4;
        long[] out = new long[before.length + pads + 2 + after.length];
        int i = 0;
        for (long x : before) {
            out[i++] = x;
        }
        out[i++] = VISION_START;
        for (int k = 0; k < pads; k++) {
            out[i++] = IMAGE;
        }
        out[i++] = VISION_END;
        for (long x : after) {
            out[i++] = x;
        }
        return out;
    }

    public static List<int[]> grids(int[]... g) {
        return List.of(g);
    }
}

package org.pathoreason.train.clip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The settings of contrastive training beyond the shared {@link org.pathoreason.train.TrainConfig}; the
 * {@code clip:} section of a config file ({@code --set clip.width=256}). The sizes shape a new model (training
 * without {@code --model}); a run that starts from a checkpoint keeps the checkpoint's sizes.
 *
 * @param imageSize side of the square input images
 * @param patchSize side of a ViT patch
 * @param width image tower width
 * @param layers image tower blocks
 * @param heads image tower attention heads
 * @param textWidth text tower width
 * @param textLayers text tower blocks
 * @param textHeads text tower attention heads
 * @param contextLength token positions of the text tower (longer captions are cut)
 * @param embedDim joint embedding width
 * @param quickGelu QuickGELU (OpenAI's) instead of GELU in a new model
 * @param maxLogitScale {@code logit_scale} is clamped into {@code [0, max]} after each update (OpenCLIP: ln 100)
 * @param valFraction share of the pairs held out (seeded) for validation loss and retrieval
 * @param valMaxPairs most held-out pairs scored at each validation
 * @param imageCacheMb memory for preprocessed images; images beyond it are read again when used
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ClipOptions(int imageSize, int patchSize, int width, int layers, int heads, int textWidth,
        int textLayers, int textHeads, int contextLength, int embedDim, boolean quickGelu, double maxLogitScale,
        double valFraction, int valMaxPairs, int imageCacheMb) {

    public ClipOptions {
        for (int v : new int[] {imageSize, patchSize, width, layers, heads, textWidth, textLayers, textHeads,
                contextLength, embedDim, valMaxPairs}) {
            if (v <= 0) {
                throw new IllegalArgumentException("clip sizes and val_max_pairs must be positive, got " + v);
            }
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("clip.image_size " + imageSize + " must be a multiple of "
                    + "clip.patch_size " + patchSize);
        }
        if (width % heads != 0 || textWidth % textHeads != 0) {
            throw new IllegalArgumentException("clip.width and clip.text_width must be multiples of their heads");
        }
        if (!(maxLogitScale > 0)) {
            throw new IllegalArgumentException("clip.max_logit_scale must be > 0, got " + maxLogitScale);
        }
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("clip.val_fraction must be in [0, 1), got " + valFraction);
        }
        if (imageCacheMb < 0) {
            throw new IllegalArgumentException("clip.image_cache_mb must be >= 0, got " + imageCacheMb);
        }
    }

    /** A small ViT-S-ish pair for 2-core machines: 64-pixel images in 8-pixel patches, widths 128, 4 blocks each. */
    public static ClipOptions defaults() {
        return new ClipOptions(64, 8, 128, 4, 4, 128, 4, 4, 64, 128, false, Math.log(100), 0.0, 512, 2048);
    }
}

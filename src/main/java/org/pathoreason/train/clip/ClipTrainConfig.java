package org.pathoreason.train.clip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.TrainConfig;

/**
 * The whole config of a CLIP run: the shared loop settings under {@code train:} and the contrastive ones under
 * {@code clip:}. Defaults follow OpenCLIP's training script where it has one: AdamW with betas (0.9, 0.98), eps
 * 1e-6, weight decay 0.2 except on parameters that are 1-D or named {@code ln}, {@code bn}, {@code bias} or
 * {@code logit_scale} (OpenCLIP's exclusion rule; its token and position embeddings are 2-D and do decay), cosine
 * decay after linear warm-up, no gradient clipping. {@code train.freeze_vision} locks the image tower (LiT);
 * {@code grad_accum} must be 1 (the contrastive loss spans the whole batch).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ClipTrainConfig(TrainConfig train, ClipOptions clip) {

    /** OpenCLIP's weight-decay exclusion: 1-D parameters and names containing bn, ln, bias or logit_scale. */
    public static final List<String> NO_DECAY = List.of("bn", "ln", "bias", "logit_scale", "class_embedding",
            "\\.gamma$");

    public ClipTrainConfig {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(clip, "clip");
        if (train.gradAccum() != 1) {
            throw new IllegalArgumentException("train.grad_accum must be 1 for CLIP (the contrastive loss compares "
                    + "every image with every text of one batch), got " + train.gradAccum());
        }
        if (train.freezeMerger() || train.freezeLanguage()) {
            throw new IllegalArgumentException("CLIP has no merger; train.freeze_language is not supported (lock "
                    + "the image tower with train.freeze_vision)");
        }
        if (train.batchSize() < 2) {
            throw new IllegalArgumentException("train.batch_size must be at least 2 for a contrastive loss, got "
                    + train.batchSize());
        }
    }

    public static ClipTrainConfig defaults() {
        TrainConfig t = new TrainConfig(5e-4, 0.2, 0.9, 0.98, 1e-6, "cosine", 0, 0.05, 0.0, -1, 10.0, 64, 1, 0.0, 42,
                true, 500, 2, 0, 10, false, false, false, 2048, NO_DECAY);
        return new ClipTrainConfig(t, ClipOptions.defaults());
    }

    /** Defaults, then {@code file} (may be null), then the overrides. */
    public static ConfigLoader.Resolved<ClipTrainConfig> load(Path file, List<String> overrides) {
        return ConfigLoader.load(ClipTrainConfig.class, defaults(), file, overrides);
    }
}

package org.pathoreason.pipeline;

import java.util.Locale;

/** What a pipeline stage does to its parent model. */
public enum StageKind {
    /** A randomly initialised model (the start of the pipeline); no training. */
    INIT,
    /** Continued pretraining on image captions ({@link org.pathoreason.train.sft.Stage#PRETRAIN}). */
    PRETRAIN,
    /** Supervised fine-tuning on chains of thought ({@link org.pathoreason.train.sft.Stage#SFT}). */
    SFT,
    /** GRPO reinforcement learning ({@link org.pathoreason.train.rl.GrpoTrainer}). */
    GRPO;

    /** The lower-case name used in run records and on screen. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}

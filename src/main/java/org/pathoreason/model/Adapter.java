package org.pathoreason.model;

import java.nio.file.Path;

/**
 * Weights added on top of a base checkpoint when it is opened (a LoRA adapter in PEFT's layout:
 * {@code org.pathoreason.model.lora.LoraAdapter}). {@link CheckpointBundle#open(Path, ai.djl.ndarray.NDManager,
 * CheckpointBundle.Options)} loads the base, then merges the adapter into its in-memory weights, so the forward pass
 * is the base model's.
 */
public interface Adapter {

    /** Where the adapter was read from (for run records and messages). */
    Path source();

    /**
     * Merges the adapter into the weights of a freshly loaded base model.
     *
     * @param baseDir the base checkpoint folder, for error messages
     * @throws ModelException naming the adapter file and the field or tensor that does not fit the base
     */
    void mergeInto(VisionLanguageModel model, Path baseDir);
}

package org.pathoreason.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Set;

/**
 * One model architecture that {@link CheckpointBundle#open} can load, found by {@link java.util.ServiceLoader} and
 * chosen by the {@code model_type} of a checkpoint's {@code config.json}. A new architecture (a CLIP dual encoder,
 * an adapter on a base model) plugs in by listing its family in
 * {@code META-INF/services/org.pathoreason.model.ModelFamily}.
 */
public interface ModelFamily {

    /** The {@code config.json} {@code model_type} values this family loads. */
    Set<String> modelTypes();

    /**
     * Loads the model of a checkpoint folder.
     *
     * @param manager parent of the model's parameters
     * @throws ModelException naming the folder and the file when something is missing or does not fit
     */
    AutoCloseable load(Path dir, NDManager manager);
}

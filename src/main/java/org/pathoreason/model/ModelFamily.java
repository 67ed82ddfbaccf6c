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

    /**
     * Loads the model of a checkpoint folder with its weights held as {@code precision} says. A family without a
     * 16-bit route loads float32 for {@link WeightPrecision#AUTO} and refuses {@link WeightPrecision#HALF}.
     */
    default AutoCloseable load(Path dir, NDManager manager, WeightPrecision precision) {
        if (precision == WeightPrecision.HALF) {
            throw new ModelException("checkpoint " + dir + ": " + getClass().getSimpleName()
                    + " holds its weights as float32 only; WeightPrecision.HALF is not available for it");
        }
        return load(dir, manager);
    }
}

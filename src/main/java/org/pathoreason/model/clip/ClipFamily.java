package org.pathoreason.model.clip;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Set;
import org.pathoreason.model.ModelFamily;

/**
 * Registers the CLIP dual encoder with the model registry: Hugging Face {@code CLIPModel} folders
 * ({@code model_type} {@code clip}) and OpenCLIP folders ({@code open_clip_config.json}, typed {@code open_clip}).
 */
public final class ClipFamily implements ModelFamily {

    @Override
    public Set<String> modelTypes() {
        return Set.of("clip", "open_clip");
    }

    /** The model owns its own manager (CLIP towers are loaded whole); {@code manager} is not used. */
    @Override
    public ClipModel load(Path dir, NDManager manager) {
        return ClipModel.load(dir);
    }
}

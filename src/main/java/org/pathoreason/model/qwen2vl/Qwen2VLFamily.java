package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Set;
import org.pathoreason.model.ModelFamily;
import org.pathoreason.model.WeightPrecision;

/** Registers Qwen2.5-VL ({@code model_type} {@code qwen2_5_vl}) with the model registry. */
public final class Qwen2VLFamily implements ModelFamily {

    @Override
    public Set<String> modelTypes() {
        return Set.of(Qwen2VLConfig.MODEL_TYPE);
    }

    @Override
    public Qwen2VLModel load(Path dir, NDManager manager) {
        return Qwen2VLModel.load(dir, manager);
    }

    @Override
    public Qwen2VLModel load(Path dir, NDManager manager, WeightPrecision precision) {
        return Qwen2VLModel.load(dir, manager, precision);
    }
}

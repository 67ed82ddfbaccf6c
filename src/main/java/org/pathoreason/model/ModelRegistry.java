package org.pathoreason.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.util.Json;

/** The {@link ModelFamily} registered for each {@code model_type}; the one place that maps a config to code. */
public final class ModelRegistry {

    private static final Map<String, ModelFamily> FAMILIES = discover();
    private static final String OPEN_CLIP_CONFIG = "open_clip_config.json";

    private ModelRegistry() {
    }

    private static Map<String, ModelFamily> discover() {
        Map<String, ModelFamily> byType = new TreeMap<>();
        for (ModelFamily family : ServiceLoader.load(ModelFamily.class, ModelRegistry.class.getClassLoader())) {
            for (String type : family.modelTypes()) {
                ModelFamily earlier = byType.putIfAbsent(type, family);
                if (earlier != null) {
                    throw new IllegalStateException("model_type '" + type + "' is registered twice: by "
                            + earlier.getClass().getName() + " and " + family.getClass().getName());
                }
            }
        }
        return Map.copyOf(byType);
    }

    /** The {@code model_type} values that can be loaded, sorted. */
    public static java.util.Set<String> modelTypes() {
        return new java.util.TreeSet<>(FAMILIES.keySet());
    }

    /**
     * The {@code model_type} of a checkpoint folder's {@code config.json}.
     *
     * @throws ModelException when the folder or its config is missing, not JSON, or names no model_type
     */
    public static String modelType(Path dir) {
        Path config = dir.resolve(CheckpointDir.CONFIG);
        if (!Files.isRegularFile(config) && Files.isRegularFile(dir.resolve(OPEN_CLIP_CONFIG))) {
            return "open_clip"; // OpenCLIP's folders name no model_type
        }
        if (!Files.isRegularFile(config)) {
            throw new ModelException("checkpoint " + dir + " has no " + CheckpointDir.CONFIG);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(config.toFile());
        } catch (java.io.IOException e) {
            throw new ModelException(config + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode type = root == null ? null : root.get("model_type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            throw new ModelException(config + ": field 'model_type' is missing; expected one of " + modelTypes());
        }
        return type.asText();
    }

    /**
     * The family that loads a {@code model_type}.
     *
     * @throws ModelException naming the type and the known ones
     */
    public static ModelFamily family(String modelType) {
        ModelFamily f = FAMILIES.get(modelType);
        if (f == null) {
            throw new ModelException("unknown model_type '" + modelType + "'; PathoReason loads " + modelTypes());
        }
        return f;
    }

    /** Loads the model of a checkpoint folder through the family of its {@code model_type}. */
    public static AutoCloseable load(Path dir, NDManager manager) {
        return family(modelType(dir)).load(dir, manager);
    }

    /**
     * Loads a checkpoint folder's model as the given kind.
     *
     * @throws ModelException when the folder holds another kind of model
     */
    public static <T> T load(Path dir, Class<T> kind, NDManager manager) {
        return load(dir, kind, manager, WeightPrecision.FLOAT32);
    }

    /**
     * Loads a checkpoint folder's model as the given kind, its weights held as {@code precision} says.
     *
     * @throws ModelException when the folder holds another kind of model
     */
    public static <T> T load(Path dir, Class<T> kind, NDManager manager, WeightPrecision precision) {
        AutoCloseable m = family(modelType(dir)).load(dir, manager, precision);
        if (!kind.isInstance(m)) {
            try {
                m.close();
            } catch (Exception e) {
                // the wrong model is discarded either way
            }
            throw new ModelException("checkpoint " + dir + " holds a " + modelType(dir) + " model, not a "
                    + kind.getSimpleName());
        }
        return kind.cast(m);
    }
}

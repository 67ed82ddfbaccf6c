package org.pathoreason.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.pathoreason.model.io.SafetensorsException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.util.Json;

/**
 * One saved training checkpoint, {@code checkpoints/step-N/}: model weights ({@code model.safetensors} or shards,
 * loadable by transformers; a LoRA run's adapter, {@code adapter_model.safetensors}, instead), optimiser state ({@code optimizer.safetensors}), {@code trainer_state.json}, and
 * whatever the trainer's hook wrote beside them (config, tokenizer, provenance). Loading restores in place into
 * the arrays the caller already has, so the model and the optimiser keep their identity.
 *
 * @param dir the checkpoint folder
 * @param step the global step it was saved at
 */
public record Checkpoint(Path dir, long step) {

    public static final String WEIGHTS = SafetensorsReader.SINGLE_FILE;
    public static final String WEIGHTS_INDEX = SafetensorsReader.INDEX_FILE;
    /** The weights of a LoRA run's checkpoint: its adapter in PEFT's layout. */
    public static final String ADAPTER_WEIGHTS = org.pathoreason.model.lora.LoraAdapter.WEIGHTS_FILE;
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String STATE = "trainer_state.json";

    /** Suffixes of the optimiser's tensors: {@code <param>.exp_avg}, {@code .exp_avg_sq}, {@code .step}. */
    static final String STEP_SUFFIX = ".step";

    /** The saved {@code trainer_state.json}. */
    public TrainState state() {
        Path file = dir.resolve(STATE);
        try {
            return Json.MAPPER.readValue(Files.readString(file), TrainState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not a valid trainer state: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /**
     * Copies the saved weights into {@code params} in place. Every array of {@code params} must be in the file
     * with the same shape; tensors of the file that {@code params} lacks are an error too (a different model).
     */
    public void loadWeightsInto(Map<String, NDArray> params) {
        boolean adapter = !Files.exists(dir.resolve(WEIGHTS_INDEX)) && !Files.exists(dir.resolve(WEIGHTS))
                && Files.exists(dir.resolve(ADAPTER_WEIGHTS));
        Path source = adapter ? dir.resolve(ADAPTER_WEIGHTS)
                : Files.exists(dir.resolve(WEIGHTS_INDEX)) ? dir.resolve(WEIGHTS_INDEX) : dir.resolve(WEIGHTS);
        try (SafetensorsReader reader = SafetensorsReader.open(adapter ? source : dir);
                NDManager scratch = firstManager(params).newSubManager()) {
            List<String> missing = new ArrayList<>();
            for (String name : params.keySet()) {
                if (!reader.contains(name)) {
                    missing.add(name);
                }
            }
            TreeSet<String> unexpected = new TreeSet<>(reader.names());
            unexpected.removeAll(params.keySet());
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IllegalArgumentException(source + ": weights do not match the model"
                        + (missing.isEmpty() ? "" : "; missing " + preview(missing))
                        + (unexpected.isEmpty() ? "" : "; not in the model " + preview(new ArrayList<>(unexpected))));
            }
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                try (NDArray saved = reader.toNDArray(e.getKey(), scratch)) {
                    if (!saved.getShape().equals(e.getValue().getShape())) {
                        throw new IllegalArgumentException(source + ": tensor '" + e.getKey() + "' has shape "
                                + saved.getShape() + " but the model's has " + e.getValue().getShape());
                    }
                    Tensors.copyInto(saved, e.getValue());
                }
            }
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Restores the optimiser's moments and per-parameter step counts. */
    public void loadOptimizerInto(AdamW optimizer) {
        Path file = dir.resolve(OPTIMIZER);
        try (SafetensorsReader reader = SafetensorsReader.open(file);
                NDManager scratch = firstManager(optimizer.parameters()).newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            Map<String, Long> steps = new LinkedHashMap<>();
            for (String name : reader.names()) {
                if (name.endsWith(STEP_SUFFIX)) {
                    long[] v = reader.readLongs(name);
                    if (v.length != 1) {
                        throw new IllegalArgumentException(file + ": '" + name + "' must hold one step count");
                    }
                    steps.put(name.substring(0, name.length() - STEP_SUFFIX.length()), v[0]);
                } else {
                    tensors.put(name, reader.toNDArray(name, scratch));
                }
            }
            optimizer.loadState(tensors, steps, file.toString());
        } catch (SafetensorsException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Restores weights, optimiser and schedule position into a freshly built updater and returns the saved state
     * (data position, seed, best metrics) for the loop to continue from.
     */
    public TrainState restore(Map<String, NDArray> params, ParameterUpdater updater) {
        TrainState state = state();
        if (state.globalStep() != step) {
            throw new IllegalArgumentException(dir.resolve(STATE) + ": global_step " + state.globalStep()
                    + " does not match the folder name " + dir.getFileName());
        }
        loadWeightsInto(params);
        loadOptimizerInto(updater.optimizer());
        updater.resumeAt(state.globalStep());
        return state;
    }

    private static NDManager firstManager(Map<String, NDArray> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("no parameters to load into");
        }
        return params.values().iterator().next().getManager();
    }

    private static String preview(List<String> names) {
        return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }
}

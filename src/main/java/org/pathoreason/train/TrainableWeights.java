package org.pathoreason.train;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.lora.LoraTraining;
import org.pathoreason.util.AtomicFiles;

/**
 * What a trainer updates and saves: the model's own weights, or, with {@code lora.enabled}, LoRA adapters on a
 * frozen base ({@link LoraTraining}). Checkpoints and {@code final/} then hold the weights (a model folder) or the
 * adapter in PEFT's layout ({@code adapter_config.json}, {@code adapter_model.safetensors}), never the base.
 */
public final class TrainableWeights {

    private final VisionLanguageModel model;
    private final LoraTraining lora;

    private TrainableWeights(VisionLanguageModel model, LoraTraining lora) {
        this.model = model;
        this.lora = lora;
    }

    /**
     * The model's weights, or adapters added to it as {@code options} say (freeze the model's parts first: with
     * LoRA every base weight is frozen anyway).
     *
     * @param base the base checkpoint folder, recorded as the adapter's {@code base_model_name_or_path}
     * @param seed seeds the adapters' initial values
     */
    public static TrainableWeights of(VisionLanguageModel model, LoraOptions options, Path base, long seed) {
        if (options == null || !options.enabled()) {
            return new TrainableWeights(model, null);
        }
        String baseName = base == null ? null : base.toAbsolutePath().normalize().toString();
        return new TrainableWeights(model, LoraTraining.attach(model, options.toConfig(baseName), seed));
    }

    /** The arrays to optimise and to restore from a checkpoint (frozen ones included for a whole model). */
    public Map<String, NDArray> parameters() {
        return lora == null ? model.parameters() : lora.parameters();
    }

    public Optional<LoraTraining> lora() {
        return Optional.ofNullable(lora);
    }

    /** Writes the trained weights into a folder being built: the model's weights and config, or the adapter. */
    public AtomicFiles.FolderWriter writer() {
        return lora == null ? model::save : dir -> lora.adapter().writeInto(dir);
    }

    /** Writes a checkpoint of the trained weights with optimiser and trainer state. */
    public Checkpoint save(CheckpointManager checkpoints, TrainState state, AdamW optimizer,
            AtomicFiles.FolderWriter extraFiles) {
        return lora == null ? checkpoints.save(state, model.parameters(), optimizer, extraFiles)
                : checkpoints.save(state, writer(), optimizer, extraFiles);
    }

    /** Writes the final folder: a model folder, or an adapter folder (with {@code rest}'s files beside it). */
    public void writeFinal(Path dir, AtomicFiles.FolderWriter rest) {
        AtomicFiles.writeFolder(dir, d -> {
            writer().write(d);
            if (rest != null) {
                rest.write(d);
            }
        });
    }

    /**
     * {@code work} on the base model: with LoRA the adapters are switched off around it (no second copy of the
     * model); null without LoRA (the caller loads a reference copy).
     */
    public <T> T onBase(Supplier<T> work) {
        if (lora == null) {
            throw new IllegalStateException("without LoRA the base is a separate reference model");
        }
        return lora.withAdapterOff(work);
    }
}

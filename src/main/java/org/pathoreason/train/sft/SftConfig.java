package org.pathoreason.train.sft;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.LoraOptions;
import org.pathoreason.train.TrainConfig;

/**
 * The whole config of a pretraining or SFT run: the shared loop settings under {@code train:} and the stage's own
 * under {@code sft:}. Read with {@link #load} from defaults, a YAML/JSON file and {@code key=value} overrides:
 * <pre>
 * train:
 *   lr: 2.0e-5
 *   batch_size: 4
 *   freeze_vision: true
 * sft:
 *   target: observe-think-answer
 *   loss_mask_tags: [observe]
 * lora:              # optional: train LoRA adapters on the frozen base (LoraOptions)
 *   enabled: true
 * </pre>
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SftConfig(TrainConfig train, SftOptions sft, LoraOptions lora) {

    public SftConfig {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(sft, "sft");
        Objects.requireNonNull(lora, "lora");
    }

    /** The defaults of both sections. */
    public static SftConfig defaults() {
        return new SftConfig(TrainConfig.defaults(), SftOptions.defaults(), LoraOptions.defaults());
    }

    /**
     * Resolves the config: defaults, then {@code file} (may be null), then the overrides in order.
     *
     * @throws IllegalArgumentException naming the file or override and the key at fault
     */
    public static ConfigLoader.Resolved<SftConfig> load(Path file, List<String> overrides) {
        return ConfigLoader.load(SftConfig.class, defaults(), file, overrides);
    }
}

package org.pathoreason.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.pathoreason.model.lora.LoraConfig;

/**
 * The {@code lora:} section of a training config: train LoRA adapters instead of the whole model (TRL's and PEFT's
 * usual defaults: rank 8, alpha 16, dropout 0.05, the language model's attention and MLP projections).
 * <pre>
 * lora:
 *   enabled: true
 *   r: 16
 *   targets: [q_proj, v_proj]
 * </pre>
 *
 * @param enabled train adapters (the base frozen) rather than the model's weights
 * @param r rank
 * @param alpha {@code lora_alpha}; the branch is scaled by {@code alpha / r} ({@code alpha / sqrt(r)} with rsLoRA)
 * @param dropout dropout on the branches' input in training passes
 * @param targets module names ({@code q_proj}, ..., as PEFT's {@code target_modules})
 * @param rslora rank-stabilised scaling {@code alpha / sqrt(r)}
 * @param vision match {@code targets} in the vision tower and merger too, not only in the language model
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LoraOptions(boolean enabled, int r, double alpha, double dropout, List<String> targets, boolean rslora,
        boolean vision) {

    public static final int DEFAULT_R = 8;
    public static final double DEFAULT_ALPHA = 16;
    public static final double DEFAULT_DROPOUT = 0.05;

    public LoraOptions {
        if (r <= 0) {
            throw new IllegalArgumentException("lora.r must be a positive integer, got " + r);
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("lora.alpha must be a positive number, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora.dropout must be in [0, 1), got " + dropout);
        }
        targets = List.copyOf(targets == null ? List.of() : targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("lora.targets must name at least one module, e.g. "
                    + LoraConfig.LANGUAGE_LINEAR);
        }
        LoraConfig.forTraining(r, alpha, dropout, targets, rslora, vision); // checks the names
    }

    /** Off, with the named defaults ready for {@code --lora}. */
    public static LoraOptions defaults() {
        return new LoraOptions(false, DEFAULT_R, DEFAULT_ALPHA, DEFAULT_DROPOUT, LoraConfig.LANGUAGE_LINEAR, false,
                false);
    }

    /** The adapter's config ({@link LoraConfig#forTraining}), naming {@code base} as its base model. */
    public LoraConfig toConfig(String base) {
        return LoraConfig.forTraining(r, alpha, dropout, targets, rslora, vision).withBaseModel(base);
    }
}

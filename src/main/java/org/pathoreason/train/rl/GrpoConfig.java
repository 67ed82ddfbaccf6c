package org.pathoreason.train.rl;

import java.nio.file.Path;
import java.util.List;
import org.pathoreason.train.AdamW;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.LoraOptions;
import org.pathoreason.train.TrainConfig;

/**
 * A GRPO/DAPO run's whole configuration, in three sections:
 * <pre>
 * train:            # shared with the other trainers (learning rate, schedule, steps, checkpoints, seed)
 *   lr: 1.0e-6
 *   batch_size: 8   # prompts per step
 * rl:               # RlOptions: rollouts, advantages, clipping, KL, DAPO switches
 *   group_size: 4
 * reward:           # RewardOptions: terms and weights
 *   weights: {format: 1.0, accuracy: 1.0}
 * lora:             # LoraOptions: train LoRA adapters on the frozen base; the reference is the base, adapters off
 *   enabled: false
 * </pre>
 * {@code train.grad_accum} must stay 1 (RL accumulates over {@code rl.micro_batch_size} inside each mini-batch)
 * and {@code train.max_length} is not used (the RL limits are {@code rl.max_prompt_length} and
 * {@code rl.max_completion_length}).
 */
public record GrpoConfig(TrainConfig train, RlOptions rl, RewardOptions reward, LoraOptions lora) {

    public GrpoConfig {
        if (train == null || rl == null || reward == null || lora == null) {
            throw new IllegalArgumentException("the train, rl, reward and lora sections are all required");
        }
        if (train.gradAccum() != 1) {
            throw new IllegalArgumentException("train.grad_accum must be 1 for RL, got " + train.gradAccum()
                    + "; use rl.mini_batch_size and rl.micro_batch_size");
        }
        if (!rl.dynamicSamplingMetric().equals("reward") && !reward.active().containsKey(rl.dynamicSamplingMetric())) {
            throw new IllegalArgumentException("rl.dynamic_sampling_metric is '" + rl.dynamicSamplingMetric()
                    + "', which is neither 'reward' nor one of the active reward terms " + reward.active().keySet());
        }
    }

    /** GRPO's defaults (verl's optimiser settings: lr 1e-6, weight decay 0.01, constant schedule, clip 1.0). */
    public static GrpoConfig grpo() {
        return new GrpoConfig(trainDefaults(), RlOptions.grpo(), RewardOptions.grpo(), LoraOptions.defaults());
    }

    /** DAPO's defaults: GRPO's with {@link RlOptions#dapo()} and {@link RewardOptions#dapo()}. */
    public static GrpoConfig dapo() {
        return new GrpoConfig(trainDefaults(), RlOptions.dapo(), RewardOptions.dapo(), LoraOptions.defaults());
    }

    public static GrpoConfig defaults(String algorithm) {
        return switch (RlOptions.defaults(algorithm).algorithm()) {
            case "dapo" -> dapo();
            default -> grpo();
        };
    }

    /**
     * Loads a config: the algorithm's defaults, then the file (YAML or JSON, may be null), then the overrides.
     */
    public static ConfigLoader.Resolved<GrpoConfig> load(String algorithm, Path file, List<String> overrides) {
        return ConfigLoader.load(GrpoConfig.class, defaults(algorithm), file, overrides);
    }

    private static TrainConfig trainDefaults() {
        return new TrainConfig(1e-6, 0.01, 0.9, 0.999, 1e-8, "constant", 0, 0.0, 0.0, 100, 1.0, 8, 1, 1.0, 42, true,
                50, 3, 0, 1, false, false, false, 2048, AdamW.DEFAULT_NO_DECAY);
    }
}

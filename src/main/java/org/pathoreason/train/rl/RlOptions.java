package org.pathoreason.train.rl;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Locale;

/**
 * The {@code rl:} section of a GRPO/DAPO run: rollouts, advantages, the clipped loss, the KL term and DAPO's
 * switches. Keys are snake_case ({@code --set rl.clip_high=0.28}). {@link #grpo()} and {@link #dapo()} give the
 * two algorithms' defaults; every switch can be set alone on top of either.
 *
 * <p>Counting: {@code train.batch_size} is the number of prompts per step (verl's {@code train_batch_size}); each
 * prompt gets {@code group_size} completions. {@code mini_batch_size} completions make one optimiser update
 * (verl's {@code ppo_mini_batch_size} times {@code n}); {@code micro_batch_size} completions go through one
 * forward/backward (gradient accumulation inside a mini-batch). One step is one rollout batch and one metrics line.
 *
 * @param algorithm {@code grpo} or {@code dapo}: the name recorded in {@code run.json} and the checkpoints
 * @param groupSize completions per prompt, G (PathVLM-R1: 4)
 * @param generationBatchSize rows (completions) generated together with one KV cache
 * @param maxPromptLength prompts with more tokens (image tokens included) are skipped with a warning
 * @param maxCompletionLength most tokens generated per completion (the stop token included)
 * @param temperature sampling temperature; the loss's log-probs use the same temperature (as verl and TRL)
 * @param topP nucleus sampling (1 = off)
 * @param topK top-k sampling (0 = off)
 * @param ppoEpochs passes over each rollout batch
 * @param miniBatchSize completions per optimiser update; 0 = the whole rollout batch (one update per epoch)
 * @param microBatchSize completions per forward/backward
 * @param oldLogp where the old log-probs of the ratio come from: {@code recompute} (a no-grad forward before
 *     the first update, as verl; skipped when there is only one update per step, where the current log-probs
 *     detached are exactly the old ones) or {@code generation} (the sampler's own, temperature 1 only)
 * @param advEps added to the group standard deviation (verl 1e-6, TRL 1e-4)
 * @param scaleAdvByStd false for Dr. GRPO (advantages only centred)
 * @param clipLow ratio clipped below at {@code 1 - clip_low}
 * @param clipHigh ratio clipped above at {@code 1 + clip_high} (DAPO's clip-higher: 0.28)
 * @param dualClipC dual-clip bound for negative advantages (verl's {@code clip_ratio_c} 3); 0 turns it off
 * @param lossAgg token-mean, seq-mean-token-sum, seq-mean-token-mean or seq-mean-token-sum-norm (Dr. GRPO)
 * @param lossNormLength the fixed length of {@code seq-mean-token-sum-norm}; 0 = {@code max_completion_length}
 * @param klCoef weight of the KL to the frozen reference; 0 = no reference model is loaded at all
 * @param klEstimator k1, k2 or k3 (low variance)
 * @param klInReward put the KL into the reward ({@code r - kl_coef * sum_t kl_t}) instead of the loss
 * @param dynamicSampling DAPO: drop groups whose completions all scored the same, sample more until the batch
 *     is full
 * @param dynamicSamplingMetric which score must vary within a group: {@code reward} (the weighted total) or a
 *     reward term's name (DAPO: {@code accuracy})
 * @param maxGenerationRounds most rollout rounds per step with dynamic sampling; the step then trains on what it
 *     kept (verl stops the run instead)
 * @param maskTruncated DAPO's overlong filtering: completions cut at the length limit get no loss
 * @param promptStyle how a sample is put to the model: cot (the SFT stage's default), cod, think-answer,
 *     observe-think-answer or plain; it must be the style the starting checkpoint was fine-tuned with
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RlOptions(
        String algorithm,
        int groupSize,
        int generationBatchSize,
        int maxPromptLength,
        int maxCompletionLength,
        double temperature,
        double topP,
        int topK,
        int ppoEpochs,
        int miniBatchSize,
        int microBatchSize,
        OldLogProbs oldLogp,
        double advEps,
        boolean scaleAdvByStd,
        double clipLow,
        double clipHigh,
        double dualClipC,
        LossAggregation lossAgg,
        int lossNormLength,
        double klCoef,
        KlEstimators.Kind klEstimator,
        boolean klInReward,
        boolean dynamicSampling,
        String dynamicSamplingMetric,
        int maxGenerationRounds,
        boolean maskTruncated,
        String promptStyle) {

    /** Where the old log-probs of the ratio come from. */
    public enum OldLogProbs {
        /** A no-grad forward before the first update, as verl. */
        RECOMPUTE,
        /** The sampler's own log-probs (temperature 1 only). */
        GENERATION;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static OldLogProbs parse(String name) {
            for (OldLogProbs o : values()) {
                if (o.id().equalsIgnoreCase(name.trim())) {
                    return o;
                }
            }
            throw new IllegalArgumentException("old_logp must be recompute or generation, got " + name);
        }
    }

    public RlOptions {
        require(algorithm != null && (algorithm.equals("grpo") || algorithm.equals("dapo")), "algorithm",
                "grpo or dapo", algorithm);
        require(groupSize >= 1, "group_size", "an integer >= 1", groupSize);
        require(generationBatchSize >= 1, "generation_batch_size", "an integer >= 1", generationBatchSize);
        require(maxPromptLength >= 1, "max_prompt_length", "an integer >= 1", maxPromptLength);
        require(maxCompletionLength >= 1, "max_completion_length", "an integer >= 1", maxCompletionLength);
        require(temperature > 0 && Double.isFinite(temperature), "temperature",
                "a number > 0 (RL samples; greedy decoding gives no group variance)", temperature);
        require(topP > 0 && topP <= 1, "top_p", "a number in (0, 1]", topP);
        require(topK >= 0, "top_k", "an integer >= 0", topK);
        require(ppoEpochs >= 1, "ppo_epochs", "an integer >= 1", ppoEpochs);
        require(miniBatchSize >= 0, "mini_batch_size", "an integer >= 0 (0 = the whole rollout batch)",
                miniBatchSize);
        require(microBatchSize >= 1, "micro_batch_size", "an integer >= 1", microBatchSize);
        require(oldLogp != null, "old_logp", "recompute or generation", oldLogp);
        require(!(oldLogp == OldLogProbs.GENERATION && (temperature != 1 || topP != 1 || topK != 0)), "old_logp",
                "recompute when temperature, top_p or top_k change the sampling distribution (the sampler's "
                        + "log-probs are those of the unmodified model)", oldLogp);
        require(advEps >= 0 && Double.isFinite(advEps), "adv_eps", "a number >= 0", advEps);
        require(lossNormLength >= 0, "loss_norm_length", "an integer >= 0", lossNormLength);
        require(klCoef >= 0 && Double.isFinite(klCoef), "kl_coef", "a number >= 0", klCoef);
        require(maxGenerationRounds >= 1, "max_generation_rounds", "an integer >= 1", maxGenerationRounds);
        require(dynamicSamplingMetric != null && !dynamicSamplingMetric.isBlank(), "dynamic_sampling_metric",
                "reward or a reward term's name", dynamicSamplingMetric);
        require(promptStyle != null, "prompt_style", "a prompt style", promptStyle);
        org.pathoreason.text.PromptStyle.parse(promptStyle);
        // The math classes validate the rest with their own messages (fields are not assigned yet: use parameters).
        require(lossAgg != null, "loss_agg", "a loss aggregation", lossAgg);
        require(klEstimator != null, "kl_estimator", "k1, k2 or k3", klEstimator);
        new PolicyLoss.Options(clipLow, clipHigh, dualClipC, lossAgg, 0, klEstimator, klCoef);
    }

    /** GRPO as DeepSeekMath/PathVLM-R1 run it: G = 4, clip 0.2/0.2, sequence-mean loss, KL 0.04 (k3) as a loss. */
    public static RlOptions grpo() {
        return new RlOptions("grpo", 4, 16, 1024, 1024, 1.0, 1.0, 0, 1, 0, 4, OldLogProbs.RECOMPUTE,
                Advantages.VERL_EPS, true, 0.2, 0.2, 3.0, LossAggregation.SEQ_MEAN_TOKEN_MEAN, 0, 0.04,
                KlEstimators.Kind.K3, false, false, "reward", 4,
                false, "cot");
    }

    /**
     * DAPO: clip-higher (0.28), token-level loss, dynamic sampling on accuracy, no KL; overlong reward shaping is
     * the {@code length} reward term that {@link RewardOptions#dapo()} adds.
     */
    public static RlOptions dapo() {
        RlOptions g = grpo();
        return new RlOptions("dapo", g.groupSize, g.generationBatchSize, g.maxPromptLength, g.maxCompletionLength,
                g.temperature, g.topP, g.topK, g.ppoEpochs, g.miniBatchSize, g.microBatchSize, g.oldLogp, g.advEps,
                g.scaleAdvByStd, 0.2, 0.28, g.dualClipC, LossAggregation.TOKEN_MEAN, 0, 0.0, g.klEstimator,
                false, true, "accuracy", 4, false, g.promptStyle);
    }

    /** The defaults of an algorithm by name. */
    public static RlOptions defaults(String algorithm) {
        return switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "grpo" -> grpo();
            case "dapo" -> dapo();
            default -> throw new IllegalArgumentException("unknown algorithm '" + algorithm
                    + "', expected grpo or dapo");
        };
    }

    /** Whether a frozen reference model is needed (KL in the loss or in the reward). */
    public boolean usesReference() {
        return klCoef > 0;
    }

    /** The advantage normalisation. */
    public Advantages.Options advantages() {
        return new Advantages.Options(advEps, scaleAdvByStd);
    }

    /** The clipped-surrogate loss; the KL term is in it only when it is not put into the reward. */
    public PolicyLoss.Options policyLoss() {
        double norm = lossNormLength > 0 ? lossNormLength : maxCompletionLength;
        return new PolicyLoss.Options(clipLow, clipHigh, dualClipC, lossAgg, norm, klEstimator,
                klInReward ? 0 : klCoef);
    }

    /** Completions per optimiser update for a rollout batch of {@code rows} completions. */
    public int miniBatchRows(int rows) {
        return miniBatchSize <= 0 ? rows : Math.min(miniBatchSize, rows);
    }

    private static void require(boolean ok, String key, String expected, Object got) {
        if (!ok) {
            throw new IllegalArgumentException(key + " must be " + expected + ", got " + got);
        }
    }
}

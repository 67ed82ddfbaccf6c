package org.pathoreason.train.rl;

import org.pathoreason.engine.NoGrad;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.generate.Generator;
import org.pathoreason.model.Prompt;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.generate.TokenDecoder;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.reward.Reward;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.RewardResult;
import org.pathoreason.train.StepRandom;

/**
 * The rollout half of a step: G completions per prompt sampled from the current policy (each prompt repeated G
 * times, {@code generation_batch_size} rows per batched, KV-cached generation call, no autograd), then every
 * completion scored by the reward in one {@link Reward#scoreAll} call so that remote judges work in parallel.
 * Time spent generating and scoring is accumulated for the step's metrics.
 */
public final class RolloutCollector {

    /** A prompt to roll out: the sample and its encoded prompt. */
    public record PromptItem(org.pathoreason.data.Sample sample, Prompt prompt) {
    }

    private final VisionLanguageModel policy;
    private final TokenDecoder decoder;
    private final Reward reward;
    private final RlOptions rl;
    private final SamplingOptions sampling;
    private final List<RolloutGroup> history = new ArrayList<>();
    private long generationNanos;
    private long rewardNanos;

    /**
     * @param stopTokenIds generation of a completion ends after one of these ({@code <|im_end|>}, eos); the token
     *     is part of the completion the loss trains on
     */
    public RolloutCollector(VisionLanguageModel policy, TokenDecoder decoder, Reward reward, RlOptions rl,
                            Set<Long> stopTokenIds) {
        this.policy = policy;
        this.decoder = decoder;
        this.reward = reward;
        this.rl = rl;
        this.sampling = new SamplingOptions(rl.maxCompletionLength(), rl.temperature(), rl.topK(), rl.topP(), 0,
                List.of(), stopTokenIds, true);
    }

    /**
     * Samples and scores G completions for each prompt.
     *
     * @param seed the seed of this round: the same seed, prompts and weights give the same completions
     */
    public List<RolloutGroup> collect(List<PromptItem> prompts, long seed, NDManager manager) {
        int g = rl.groupSize();
        List<Prompt> rows = new ArrayList<>(prompts.size() * g);
        for (PromptItem p : prompts) {
            rows.addAll(Collections.nCopies(g, p.prompt()));
        }
        long t0 = System.nanoTime();
        Generator generator = new Generator(policy, decoder);
        List<GenerationResult> results = new ArrayList<>(rows.size());
        int chunk = 0;
        for (int start = 0; start < rows.size(); start += rl.generationBatchSize(), chunk++) {
            List<Prompt> part = rows.subList(start, Math.min(rows.size(), start + rl.generationBatchSize()));
            SamplingOptions options = sampling.withSeed(StepRandom.derive(seed, chunk));
            results.addAll(NoGrad.get(() -> generator.generate(part, options, null, manager)));
        }
        long t1 = System.nanoTime();
        List<RewardInput> inputs = new ArrayList<>(rows.size());
        for (int i = 0; i < results.size(); i++) {
            GenerationResult r = results.get(i);
            inputs.add(new RewardInput(prompts.get(i / g).sample(), r.text(), r.tokenIds().length,
                    rl.maxCompletionLength()));
        }
        List<RewardResult> scores = reward.scoreAll(inputs);
        long t2 = System.nanoTime();
        generationNanos += t1 - t0;
        rewardNanos += t2 - t1;
        List<RolloutGroup> groups = new ArrayList<>(prompts.size());
        for (int p = 0; p < prompts.size(); p++) {
            groups.add(new RolloutGroup(prompts.get(p).sample(), prompts.get(p).prompt(),
                    results.subList(p * g, (p + 1) * g), scores.subList(p * g, (p + 1) * g)));
        }
        history.addAll(groups);
        return groups;
    }

    /** Every group collected since the last {@link #reset()} (all rounds, kept or not). */
    public List<RolloutGroup> history() {
        return List.copyOf(history);
    }

    public long generationNanos() {
        return generationNanos;
    }

    public long rewardNanos() {
        return rewardNanos;
    }

    /** Clears the history and the timers (start of a step). */
    public void reset() {
        history.clear();
        generationNanos = 0;
        rewardNanos = 0;
    }
}

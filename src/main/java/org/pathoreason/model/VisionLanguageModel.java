package org.pathoreason.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * A vision-language decoder as trainers, generation and evaluation see it: parameters by published name, a
 * forward pass to logits or per-token log-probabilities, and the cached prefill/decode steps of generation.
 *
 * <h2>Memory and autograd rules</h2>
 * <ul>
 *   <li>Every method that computes takes an {@link NDManager}: open one per step
 *       ({@code try (NDManager step = root.newSubManager())}); every intermediate and every result is attached to
 *       it, so closing it frees the step. Nothing is ever attached to the model's own manager by a forward pass.</li>
 *   <li>Training: run the forward inside a {@code GradientRecording} (a DJL {@code GradientCollector}); {@code collector.backward(loss)} reaches
 *       every parameter of {@link #trainableParameters()}. {@code parameter.getGradient()} returns a new handle
 *       each call: close it (or read it inside the step manager's scope by attaching it there).</li>
 *   <li>Outside a collector gradients are off (DJL's default), so generation builds no graph.</li>
 * </ul>
 */
public interface VisionLanguageModel extends AutoCloseable {

    /** Rows of the output distribution. */
    int vocabSize();

    /** The id of the image pad token whose positions take the vision features ({@code image_token_id}). */
    long imageTokenId();

    /**
     * Tokens the model reads structurally (image and video pads, replaced by vision features): generation never
     * emits them, since a completion holding one could not be scored again by {@link #tokenLogProbs}.
     */
    java.util.Set<Long> reservedTokenIds();

    /** All parameters by published tensor name (tied weights appear once), in checkpoint order. */
    Map<String, NDArray> parameters();

    /** The parameters that are not frozen (they require gradients). */
    Map<String, NDArray> trainableParameters();

    /** The group a parameter belongs to. */
    ParameterGroup groupOf(String parameterName);

    /** Freezes (no gradient) or unfreezes a group of parameters. */
    void setFrozen(ParameterGroup group, boolean frozen);

    boolean isFrozen(ParameterGroup group);

    /**
     * Sets every accumulated gradient to zero. PyTorch adds each backward pass into the gradients (and DJL's
     * {@code GradientCollector.zeroGradients()} does not see these parameters), so call this before each step.
     */
    void zeroGradients();

    /** Logits of every column, {@code [batch, length, vocab]}. */
    NDArray logits(ModelInput input, NDManager manager);

    /**
     * Log-probabilities of the given tokens under the model, the quantity SFT and RL losses need; logits are
     * computed only for the columns that predict a target.
     *
     * @param firstTarget the first column whose token is scored (at least 1: column 0 has no context)
     * @return {@code [batch, length - firstTarget]}: entry {@code [b, j]} is
     *     {@code log p(ids[b][firstTarget + j] | ids[b][< firstTarget + j])}; entries whose target column is padding
     *     are meaningless and must be masked by the caller
     */
    NDArray tokenLogProbs(ModelInput input, int firstTarget, NDManager manager);

    /**
     * Log-probabilities of completions under the prompts they share, at a sampling temperature:
     * {@code log_softmax(logits / temperature)} at each completion token, what RL losses need. Each distinct prompt
     * runs once and its completions attend to its keys and values, the same values a forward of every prompt +
     * completion row gives, with a G-th of the prompt work when G completions share a prompt.
     *
     * @return {@code [rows, width]}: entry {@code [r, j]} is
     *     {@code log p(completion[r][j] | prompt, completion[r][< j])}; entries at or past a row's length are
     *     meaningless and must be masked by the caller
     */
    NDArray completionLogProbs(PromptedCompletions batch, double temperature, NDManager manager);

    /** Logits of the last column only, {@code [batch, vocab]}: one no-cache generation step. */
    NDArray lastLogits(ModelInput input, NDManager manager);

    /**
     * A preallocated KV cache for this model.
     *
     * @param capacity most columns: longest (left-padded) prompt plus tokens to generate
     */
    KvCache newCache(int batch, int capacity, NDManager manager);

    /**
     * Runs a left-padded prompt batch, fills the cache and returns the logits of the last column {@code [batch,
     * vocab]}.
     */
    default NDArray prefill(ModelInput input, KvCache cache, NDManager manager) {
        return prefill(input, null, cache, manager);
    }

    /**
     * Prefills rows that continue shared prompts: each distinct prompt runs once and its keys and values are copied
     * into the cache rows that continue it (a GRPO group's G rows). Returns the logits of each row's last prompt
     * column {@code [rows, vocab]}.
     *
     * @param prompts the distinct prompts, left-padded
     * @param promptOf per cache row, its prompt's row in {@code prompts}; null for one row per prompt
     */
    NDArray prefill(ModelInput prompts, int[] promptOf, KvCache cache, NDManager manager);

    /**
     * Appends one token per row, returns the logits of that column {@code [batch, vocab]}.
     *
     * @param tokens one token per row
     */
    NDArray decode(long[] tokens, KvCache cache, NDManager manager);

    /**
     * The model's trainable low-rank branches (LoRA training).
     *
     * @throws ModelException when this model has none
     */
    default LowRankBranches lowRank() {
        throw new ModelException(getClass().getSimpleName() + " cannot take low-rank (LoRA) branches");
    }

    /** Writes the weights and {@code config.json} into {@code dir} (created if needed); other files stay. */
    void save(Path dir);

    /**
     * Writes a complete checkpoint directory atomically: this model's {@code config.json} and weights plus what
     * {@code rest} carries (provenance, required; tokenizer files, preprocessor and generation configs).
     */
    void saveCheckpoint(Path dir, org.pathoreason.model.io.CheckpointContents rest);

    @Override
    void close();
}

/**
 * Batched text generation over a {@link org.pathoreason.model.VisionLanguageModel}: left-padded prefill into a
 * preallocated KV cache, one decoding step per token, greedy or seeded temperature / top-k / top-p sampling, stop
 * tokens and strings, per-token log-probabilities and streaming ({@link org.pathoreason.generate.Generator}); and the
 * speed benchmark behind {@code pathoreason bench generate}.
 */
package org.pathoreason.generate;


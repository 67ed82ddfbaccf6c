package org.pathoreason.generate;

import java.util.List;
import java.util.Set;

/**
 * How to generate: length, sampling, stop conditions.
 *
 * @param maxNewTokens most tokens generated per sequence
 * @param temperature 0 for greedy decoding; otherwise logits are divided by it before sampling
 * @param topK keep only the k most likely tokens (0 = off)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1 = off)
 * @param seed seed of the host-side random generator: the same seed and batch give the same tokens
 * @param stopStrings generation of a sequence stops once its text contains one; the text is cut before it
 * @param stopTokenIds generation of a sequence stops after one of these (e.g. eos, {@code <|im_end|>}); the token
 *     is kept in the token ids and log-probs but not in the text
 * @param useCache decode with the preallocated KV cache (true) or recompute the whole forward each step
 */
public record SamplingOptions(int maxNewTokens, double temperature, int topK, double topP, long seed,
                              List<String> stopStrings, Set<Long> stopTokenIds, boolean useCache) {

    public SamplingOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        stopTokenIds = stopTokenIds == null ? Set.of() : Set.copyOf(stopTokenIds);
    }

    /** Greedy decoding with the cache, no stop condition but length. */
    public static SamplingOptions greedy(int maxNewTokens) {
        return new SamplingOptions(maxNewTokens, 0, 0, 1, 0, List.of(), Set.of(), true);
    }

    /** Sampling at a temperature with the cache. */
    public static SamplingOptions sampling(int maxNewTokens, double temperature, long seed) {
        return new SamplingOptions(maxNewTokens, temperature, 0, 1, seed, List.of(), Set.of(), true);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public SamplingOptions withTopK(int k) {
        return new SamplingOptions(maxNewTokens, temperature, k, topP, seed, stopStrings, stopTokenIds, useCache);
    }

    public SamplingOptions withTopP(double p) {
        return new SamplingOptions(maxNewTokens, temperature, topK, p, seed, stopStrings, stopTokenIds, useCache);
    }

    public SamplingOptions withSeed(long s) {
        return new SamplingOptions(maxNewTokens, temperature, topK, topP, s, stopStrings, stopTokenIds, useCache);
    }

    public SamplingOptions withStopStrings(List<String> stops) {
        return new SamplingOptions(maxNewTokens, temperature, topK, topP, seed, stops, stopTokenIds, useCache);
    }

    public SamplingOptions withStopTokenIds(Set<Long> ids) {
        return new SamplingOptions(maxNewTokens, temperature, topK, topP, seed, stopStrings, ids, useCache);
    }

    public SamplingOptions withCache(boolean cache) {
        return new SamplingOptions(maxNewTokens, temperature, topK, topP, seed, stopStrings, stopTokenIds, cache);
    }

    public SamplingOptions withMaxNewTokens(int n) {
        return new SamplingOptions(n, temperature, topK, topP, seed, stopStrings, stopTokenIds, useCache);
    }
}

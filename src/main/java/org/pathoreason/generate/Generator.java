package org.pathoreason.generate;

import org.pathoreason.model.Prompt;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.VisionLanguageModel;

/**
 * Batched generation: prompts are left-padded into one batch, prefilled once into a preallocated KV cache, then
 * decoded one token per step for every row until each row stops (stop token, stop string) or reaches
 * {@code maxNewTokens}. The model's reserved tokens (image pads) are never generated. With {@code useCache = false} every step recomputes the whole forward instead (the
 * reference the cache is tested against, and the baseline of the benchmark).
 *
 * <pre>{@code
 * Generator g = new Generator(model, ids -> tokenizer.decode(ids));
 * List<GenerationResult> out = g.generate(prompts, SamplingOptions.greedy(256).withStopTokenIds(eos), null, root);
 * }</pre>
 */
public final class Generator {

    private final VisionLanguageModel model;
    private final TokenDecoder decoder;

    public Generator(VisionLanguageModel model, TokenDecoder decoder) {
        this.model = model;
        this.decoder = decoder;
    }

    /**
     * Generates one continuation per prompt.
     *
     * @param listener receives text as it becomes final (may be null)
     * @param manager parent of the cache and of the per-step managers (all closed before returning)
     */
    public List<GenerationResult> generate(List<Prompt> prompts, SamplingOptions options,
                                           GenerationListener listener, NDManager manager) {
        if (prompts.isEmpty()) {
            return List.of();
        }
        int batch = prompts.size();
        // padding is never attended to; a fixed choice keeps runs identical
        long padId = options.stopTokenIds().stream().mapToLong(Long::longValue).min().orElse(0);
        ModelInput prompt = ModelInput.leftPadded(prompts, padId);
        // rows that repeat one prompt object (a GRPO group) are prefilled from one pass over it
        Map<Prompt, Integer> distinct = new IdentityHashMap<>();
        int[] promptOf = new int[batch];
        List<Prompt> unique = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            Prompt p = prompts.get(b);
            promptOf[b] = distinct.computeIfAbsent(p, k -> {
                unique.add(k);
                return unique.size() - 1;
            });
        }

        Rows rows = new Rows(batch, options, listener);
        Sampler sampler = new Sampler(options, model.reservedTokenIds());
        KvCache cache = options.useCache()
                ? model.newCache(batch, prompt.length() + options.maxNewTokens(), manager) : null;
        try {
            long[][] ids = prompt.inputIds();
            int[][] mask = prompt.attentionMask();
            for (int step = 0; step < options.maxNewTokens(); step++) {
                long[] next;
                try (NDManager scope = manager.newSubManager()) {
                    NDArray logits;
                    if (cache == null) {
                        logits = model.lastLogits(new ModelInput(ids, mask, prompt.pixelPatches(),
                                prompt.imageGrids()), scope);
                    } else if (step == 0) {
                        logits = unique.size() == batch ? model.prefill(prompt, cache, scope)
                                : model.prefill(ModelInput.leftPadded(unique, padId), promptOf, cache, scope);
                    } else {
                        logits = model.decode(rows.lastTokens, cache, scope);
                    }
                    Sampler.Choice choice = sampler.choose(logits, rows.active);
                    next = choice.tokens();
                    rows.accept(next, choice.logProbs(), step == options.maxNewTokens() - 1);
                }
                if (rows.allDone()) {
                    break;
                }
                for (int b = 0; b < batch; b++) {
                    if (!rows.active[b]) {
                        next[b] = padId;
                    }
                }
                rows.lastTokens = next;
                if (cache == null) {
                    ids = appendColumn(ids, next);
                    mask = appendColumn(mask);
                }
            }
        } finally {
            if (cache != null) {
                cache.close();
            }
        }
        return rows.results();
    }

    private static long[][] appendColumn(long[][] ids, long[] column) {
        long[][] out = new long[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            out[b] = Arrays.copyOf(ids[b], ids[b].length + 1);
            out[b][ids[b].length] = column[b];
        }
        return out;
    }

    private static int[][] appendColumn(int[][] mask) {
        int[][] out = new int[mask.length][];
        for (int b = 0; b < mask.length; b++) {
            out[b] = Arrays.copyOf(mask[b], mask[b].length + 1);
            out[b][mask[b].length] = 1;
        }
        return out;
    }

    /** The rows of one batch, each a {@link DecodedRow}, and the listener they stream to. */
    private final class Rows {
        final GenerationListener listener;
        final boolean[] active;
        final DecodedRow[] rows;
        long[] lastTokens;

        Rows(int batch, SamplingOptions options, GenerationListener listener) {
            this.listener = listener;
            this.active = new boolean[batch];
            Arrays.fill(active, true);
            this.rows = new DecodedRow[batch];
            for (int b = 0; b < batch; b++) {
                rows[b] = new DecodedRow(options, decoder, listener != null);
            }
        }

        void accept(long[] next, float[] lps, boolean lastStep) {
            for (int b = 0; b < active.length; b++) {
                if (!active[b]) {
                    continue;
                }
                String delta = rows[b].accept(next[b], lps[b], lastStep);
                active[b] = !rows[b].finished();
                if (listener != null) {
                    listener.onToken(b, next[b], delta);
                }
            }
        }

        boolean allDone() {
            for (boolean a : active) {
                if (a) {
                    return false;
                }
            }
            return true;
        }

        List<GenerationResult> results() {
            List<GenerationResult> out = new ArrayList<>();
            for (DecodedRow row : rows) {
                out.add(row.result());
            }
            return out;
        }
    }
}

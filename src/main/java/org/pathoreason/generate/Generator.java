package org.pathoreason.generate;

import org.pathoreason.model.Prompt;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        List<long[]> sequences = new ArrayList<>();
        List<float[]> patches = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        for (Prompt p : prompts) {
            sequences.add(p.tokenIds());
            patches.add(p.pixelPatches());
            grids.addAll(p.imageGrids());
        }
        float[] allPatches = ModelInput.concatPatches(patches);
        // padding is never attended to; a fixed choice keeps runs identical
        long padId = options.stopTokenIds().stream().mapToLong(Long::longValue).min().orElse(0);
        ModelInput prompt = ModelInput.padded(sequences, padId, true, allPatches, grids);

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
                        logits = model.lastLogits(new ModelInput(ids, mask, allPatches, grids), scope);
                    } else if (step == 0) {
                        logits = model.prefill(prompt, cache, scope);
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

    /** Per-row state: generated tokens, log-probs, text, stop checks and streaming. */
    private final class Rows {
        final SamplingOptions options;
        final GenerationListener listener;
        final boolean[] active;
        final List<List<Long>> tokens = new ArrayList<>();
        final List<List<Float>> logProbs = new ArrayList<>();
        final String[] text;
        final int[] streamed;
        final FinishReason[] reasons;
        long[] lastTokens;

        Rows(int batch, SamplingOptions options, GenerationListener listener) {
            this.options = options;
            this.listener = listener;
            this.active = new boolean[batch];
            Arrays.fill(active, true);
            this.text = new String[batch];
            Arrays.fill(text, "");
            this.streamed = new int[batch];
            this.reasons = new FinishReason[batch];
            for (int b = 0; b < batch; b++) {
                tokens.add(new ArrayList<>());
                logProbs.add(new ArrayList<>());
            }
        }

        void accept(long[] next, float[] lps, boolean lastStep) {
            boolean needText = listener != null || !options.stopStrings().isEmpty();
            for (int b = 0; b < active.length; b++) {
                if (!active[b]) {
                    continue;
                }
                tokens.get(b).add(next[b]);
                logProbs.get(b).add(lps[b]);
                if (options.stopTokenIds().contains(next[b])) {
                    finish(b, FinishReason.STOP);
                    continue;
                }
                if (needText) {
                    text[b] = decoder.decode(textTokens(b));
                    if (firstStop(text[b]) >= 0) {
                        finish(b, FinishReason.STOP);
                        continue;
                    }
                }
                if (lastStep) {
                    finish(b, FinishReason.LENGTH);
                } else if (listener != null) {
                    stream(b, next[b], safeLength(text[b]));
                }
            }
        }

        /** Ends a row: its final text is the decoded ids (stop token left out), cut before any stop string. */
        private void finish(int b, FinishReason reason) {
            active[b] = false;
            reasons[b] = reason;
            String decoded = decoder.decode(textTokens(b));
            int cut = firstStop(decoded);
            text[b] = cut >= 0 ? decoded.substring(0, cut) : decoded;
            List<Long> row = tokens.get(b);
            stream(b, row.get(row.size() - 1), text[b].length());
        }

        private void stream(int b, long token, int upTo) {
            if (listener == null) {
                return;
            }
            String delta = upTo > streamed[b] ? text[b].substring(streamed[b], upTo) : "";
            streamed[b] = Math.max(streamed[b], upTo);
            listener.onToken(b, token, delta);
        }

        /** Generated ids without a final stop token. */
        private long[] textTokens(int b) {
            List<Long> row = tokens.get(b);
            int n = row.size();
            if (n > 0 && options.stopTokenIds().contains(row.get(n - 1))) {
                n--;
            }
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = row.get(i);
            }
            return out;
        }

        private int firstStop(String s) {
            int best = -1;
            for (String stop : options.stopStrings()) {
                int at = s.indexOf(stop);
                if (at >= 0 && (best < 0 || at < best)) {
                    best = at;
                }
            }
            return best;
        }

        /** Length of text that can no longer change: hold back a possible stop-string start and a broken char. */
        private int safeLength(String s) {
            int hold = 0;
            for (String stop : options.stopStrings()) {
                for (int k = Math.min(stop.length() - 1, s.length()); k > hold; k--) {
                    if (s.endsWith(stop.substring(0, k))) {
                        hold = k;
                        break;
                    }
                }
            }
            int end = s.length() - hold;
            while (end > 0 && s.charAt(end - 1) == '\uFFFD') {
                end--;
            }
            return end;
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
            for (int b = 0; b < active.length; b++) {
                List<Long> row = tokens.get(b);
                long[] ids = new long[row.size()];
                float[] lps = new float[row.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = row.get(i);
                    lps[i] = logProbs.get(b).get(i);
                }
                out.add(new GenerationResult(ids, text[b], lps, reasons[b] == null ? FinishReason.LENGTH : reasons[b]));
            }
            return out;
        }
    }
}

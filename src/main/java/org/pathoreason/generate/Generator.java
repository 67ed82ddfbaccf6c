package org.pathoreason.generate;

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
        final long[][] tokens;
        final float[][] logProbs;
        final int[] count;
        final RowText[] text;
        final String[] finalText;
        final int[] streamed;
        final FinishReason[] reasons;
        final int longestStop;
        long[] lastTokens;

        Rows(int batch, SamplingOptions options, GenerationListener listener) {
            this.options = options;
            this.listener = listener;
            this.active = new boolean[batch];
            Arrays.fill(active, true);
            this.tokens = new long[batch][Math.min(options.maxNewTokens(), 64)];
            this.logProbs = new float[batch][tokens[0].length];
            this.count = new int[batch];
            this.text = new RowText[batch];
            this.finalText = new String[batch];
            Arrays.fill(finalText, "");
            this.streamed = new int[batch];
            this.reasons = new FinishReason[batch];
            int longest = 0;
            for (String stop : options.stopStrings()) {
                longest = Math.max(longest, stop.length());
            }
            this.longestStop = longest;
            for (int b = 0; b < batch; b++) {
                text[b] = new RowText();
            }
        }

        void accept(long[] next, float[] lps, boolean lastStep) {
            boolean needText = listener != null || !options.stopStrings().isEmpty();
            for (int b = 0; b < active.length; b++) {
                if (!active[b]) {
                    continue;
                }
                append(b, next[b], lps[b]);
                if (options.stopTokenIds().contains(next[b])) {
                    finish(b, FinishReason.STOP);
                    continue;
                }
                if (needText) {
                    int checkedUpTo = text[b].finalLength();
                    text[b].add(tokens[b], count[b]);
                    // a stop string completed by this token lies within the new text and the few chars before it
                    if (text[b].indexOfAny(options.stopStrings(), Math.max(0, checkedUpTo - longestStop + 1)) >= 0) {
                        finish(b, FinishReason.STOP);
                        continue;
                    }
                }
                if (lastStep) {
                    finish(b, FinishReason.LENGTH);
                } else if (listener != null) {
                    stream(b, next[b], safeLength(text[b]), text[b]);
                }
            }
        }

        private void append(int b, long token, float lp) {
            if (count[b] == tokens[b].length) {
                tokens[b] = Arrays.copyOf(tokens[b], tokens[b].length * 2);
                logProbs[b] = Arrays.copyOf(logProbs[b], logProbs[b].length * 2);
            }
            tokens[b][count[b]] = token;
            logProbs[b][count[b]] = lp;
            count[b]++;
        }

        /**
         * Ends a row: its final text is the decoded ids (stop token left out), cut before any stop string; decoded
         * in one piece, so it never depends on how the ids were decoded step by step.
         */
        private void finish(int b, FinishReason reason) {
            active[b] = false;
            reasons[b] = reason;
            String decoded = decoder.decode(textTokens(b));
            int cut = firstStop(decoded);
            finalText[b] = cut >= 0 ? decoded.substring(0, cut) : decoded;
            stream(b, tokens[b][count[b] - 1], finalText[b].length(), finalText[b]);
        }

        private void stream(int b, long token, int upTo, CharSequence current) {
            if (listener == null) {
                return;
            }
            String delta = upTo > streamed[b] ? current.subSequence(streamed[b], upTo).toString() : "";
            streamed[b] = Math.max(streamed[b], upTo);
            listener.onToken(b, token, delta);
        }

        /** Generated ids without a final stop token. */
        private long[] textTokens(int b) {
            int n = count[b];
            if (n > 0 && options.stopTokenIds().contains(tokens[b][n - 1])) {
                n--;
            }
            return Arrays.copyOf(tokens[b], n);
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
        private int safeLength(RowText row) {
            int length = row.length();
            String tail = row.tail(longestStop + 1);
            int hold = 0;
            for (String stop : options.stopStrings()) {
                for (int k = Math.min(stop.length() - 1, tail.length()); k > hold; k--) {
                    if (tail.endsWith(stop.substring(0, k))) {
                        hold = k;
                        break;
                    }
                }
            }
            int end = length - hold;
            while (end > 0 && row.charAt(end - 1) == '\uFFFD') {
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
                out.add(new GenerationResult(Arrays.copyOf(tokens[b], count[b]), finalText[b],
                        Arrays.copyOf(logProbs[b], count[b]), reasons[b] == null ? FinishReason.LENGTH : reasons[b]));
            }
            return out;
        }
    }

    /**
     * The text of one row's tokens, decoded incrementally: each step decodes only the tokens since the last
     * complete character (a byte-level token may end inside a UTF-8 sequence), not the whole row, so a long
     * generation costs linear rather than quadratic decoding. The text of the tokens up to {@code readOffset} is
     * final; the rest ({@code pending}) may end in an incomplete character. A decoder whose output for a longer
     * range does not start with that of the shorter one is decoded whole instead.
     */
    private final class RowText implements CharSequence {
        private final StringBuilder done = new StringBuilder();
        private String pending = "";
        private int prefixOffset;
        private int readOffset;

        void add(long[] ids, int n) {
            String prefix = decoder.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
            String all = decoder.decode(Arrays.copyOfRange(ids, prefixOffset, n));
            if (!all.startsWith(prefix)) {
                done.setLength(0);
                done.append(decoder.decode(Arrays.copyOf(ids, n)));
                pending = "";
                prefixOffset = n;
                readOffset = n;
                return;
            }
            String tail = all.substring(prefix.length());
            if (tail.endsWith("\uFFFD")) {
                pending = tail; // wait for the rest of the character
                return;
            }
            done.append(tail);
            pending = "";
            prefixOffset = readOffset;
            readOffset = n;
        }

        /** The first index at or after {@code from} where one of the strings starts, or -1. */
        int indexOfAny(List<String> strings, int from) {
            String window = subSequence(Math.min(from, length()), length()).toString();
            int best = -1;
            for (String s : strings) {
                int at = window.indexOf(s);
                if (at >= 0 && (best < 0 || at < best)) {
                    best = at;
                }
            }
            return best < 0 ? -1 : from + best;
        }

        /** Characters that no later token can change. */
        int finalLength() {
            return done.length();
        }

        /** The last {@code n} characters (fewer when shorter). */
        String tail(int n) {
            return subSequence(Math.max(0, length() - n), length()).toString();
        }

        @Override
        public int length() {
            return done.length() + pending.length();
        }

        @Override
        public char charAt(int index) {
            return index < done.length() ? done.charAt(index) : pending.charAt(index - done.length());
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            if (end <= done.length()) {
                return done.subSequence(start, end);
            }
            StringBuilder sb = new StringBuilder(end - start);
            if (start < done.length()) {
                sb.append(done, start, done.length());
            }
            sb.append(pending, Math.max(0, start - done.length()), end - done.length());
            return sb;
        }

        @Override
        public String toString() {
            return done + pending;
        }
    }
}

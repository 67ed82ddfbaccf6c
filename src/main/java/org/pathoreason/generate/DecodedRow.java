package org.pathoreason.generate;

import java.util.Arrays;
import java.util.List;

/**
 * One generated sequence as it grows: its tokens and log-probs, its text, the stop checks (stop tokens, stop
 * strings) and the text that is final enough to stream. {@link Generator} keeps one per batch row and
 * {@link ContinuousBatcher} one per running request, so both stop and stream the same way.
 */
final class DecodedRow {

    private final SamplingOptions options;
    private final TokenDecoder decoder;
    private final boolean needText;
    private final int longestStop;
    private long[] tokens;
    private float[] logProbs;
    private int count;
    private final IncrementalText running;
    private String text = "";
    private int streamed;
    private FinishReason reason;

    /**
     * @param streaming decode the text at every token (to stream it); otherwise only when stop strings need it
     */
    DecodedRow(SamplingOptions options, TokenDecoder decoder, boolean streaming) {
        this.options = options;
        this.decoder = decoder;
        this.needText = streaming || !options.stopStrings().isEmpty();
        this.tokens = new long[Math.max(1, Math.min(options.maxNewTokens(), 64))];
        this.logProbs = new float[tokens.length];
        int longest = 0;
        for (String stop : options.stopStrings()) {
            longest = Math.max(longest, stop.length());
        }
        this.longestStop = longest;
        this.running = new IncrementalText(decoder);
    }

    /**
     * Takes the next token.
     *
     * @param lastStep this is the last token the row may have ({@code maxNewTokens} reached)
     * @return text that became final with this token (may be empty)
     */
    String accept(long token, float logProb, boolean lastStep) {
        if (reason != null) {
            throw new IllegalStateException("the sequence has already finished");
        }
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
            logProbs = Arrays.copyOf(logProbs, logProbs.length * 2);
        }
        tokens[count] = token;
        logProbs[count] = logProb;
        count++;
        if (options.stopTokenIds().contains(token)) {
            return finish(FinishReason.STOP);
        }
        if (needText) {
            int checkedUpTo = running.finalLength();
            running.add(tokens, count);
            // a stop string this token completes lies within the new text and the few chars before it: the text is
            // decoded and searched per new piece, not whole at every token
            if (running.indexOfAny(options.stopStrings(), Math.max(0, checkedUpTo - longestStop + 1)) >= 0) {
                return finish(FinishReason.STOP);
            }
        }
        if (lastStep) {
            return finish(FinishReason.LENGTH);
        }
        return needText ? stream(safeLength(running), running) : "";
    }

    /** Ends the row early (cancelled, out of time): as if it had reached its length. */
    String stop() {
        return reason != null ? "" : finish(FinishReason.LENGTH);
    }

    boolean finished() {
        return reason != null;
    }

    int length() {
        return count;
    }

    long lastToken() {
        return tokens[count - 1];
    }

    /**
     * Ends the row: its final text is the decoded ids (stop token left out), cut before any stop string; decoded in
     * one piece, so it never depends on how the ids were decoded step by step.
     */
    private String finish(FinishReason why) {
        reason = why;
        String decoded = decoder.decode(textTokens());
        int cut = firstStop(decoded);
        text = cut >= 0 ? decoded.substring(0, cut) : decoded;
        return stream(text.length(), text);
    }

    private String stream(int upTo, CharSequence current) {
        String delta = upTo > streamed ? current.subSequence(streamed, upTo).toString() : "";
        streamed = Math.max(streamed, upTo);
        return delta;
    }

    /** Generated ids without a final stop token. */
    private long[] textTokens() {
        int n = count;
        if (n > 0 && options.stopTokenIds().contains(tokens[n - 1])) {
            n--;
        }
        return Arrays.copyOf(tokens, n);
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
    private int safeLength(IncrementalText row) {
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
        int end = row.length() - hold;
        while (end > 0 && row.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        return end;
    }

    GenerationResult result() {
        return new GenerationResult(Arrays.copyOf(tokens, count), text, Arrays.copyOf(logProbs, count),
                reason == null ? FinishReason.LENGTH : reason);
    }

    /**
     * The text of a growing id sequence, decoded a piece at a time as streaming detokenizers do: the ids after the
     * last settled point are decoded with a little context before them, and the new characters appended once they
     * are whole (a byte-level piece may end inside a character). When the new decoding does not extend the old one,
     * everything is decoded again.
     */
    private static final class IncrementalText implements CharSequence {
        private final TokenDecoder decoder;
        private final StringBuilder done = new StringBuilder();
        private String pending = "";
        private int prefixOffset;
        private int readOffset;

        IncrementalText(TokenDecoder decoder) {
            this.decoder = decoder;
        }

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

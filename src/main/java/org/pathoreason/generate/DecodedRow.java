package org.pathoreason.generate;

import java.util.ArrayList;
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
    private final List<Long> tokens = new ArrayList<>();
    private final List<Float> logProbs = new ArrayList<>();
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
        tokens.add(token);
        logProbs.add(logProb);
        if (options.stopTokenIds().contains(token)) {
            return finish(FinishReason.STOP);
        }
        if (needText) {
            text = decoder.decode(textTokens());
            if (firstStop(text) >= 0) {
                return finish(FinishReason.STOP);
            }
        }
        if (lastStep) {
            return finish(FinishReason.LENGTH);
        }
        return stream(safeLength(text));
    }

    /** Ends the row early (cancelled, out of time): as if it had reached its length. */
    String stop() {
        return reason != null ? "" : finish(FinishReason.LENGTH);
    }

    boolean finished() {
        return reason != null;
    }

    int length() {
        return tokens.size();
    }

    long lastToken() {
        return tokens.get(tokens.size() - 1);
    }

    /** Ends the row: its final text is the decoded ids (stop token left out), cut before any stop string. */
    private String finish(FinishReason why) {
        reason = why;
        String decoded = decoder.decode(textTokens());
        int cut = firstStop(decoded);
        text = cut >= 0 ? decoded.substring(0, cut) : decoded;
        return stream(text.length());
    }

    private String stream(int upTo) {
        String delta = upTo > streamed ? text.substring(streamed, upTo) : "";
        streamed = Math.max(streamed, upTo);
        return delta;
    }

    /** Generated ids without a final stop token. */
    private long[] textTokens() {
        int n = tokens.size();
        if (n > 0 && options.stopTokenIds().contains(tokens.get(n - 1))) {
            n--;
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = tokens.get(i);
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

    GenerationResult result() {
        long[] ids = new long[tokens.size()];
        float[] lps = new float[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i);
            lps[i] = logProbs.get(i);
        }
        return new GenerationResult(ids, text, lps, reason == null ? FinishReason.LENGTH : reason);
    }
}

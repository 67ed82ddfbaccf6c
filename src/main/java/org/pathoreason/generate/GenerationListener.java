package org.pathoreason.generate;

/** Receives generated text as it appears (streaming). */
@FunctionalInterface
public interface GenerationListener {

    /**
     * Called for each new token of a sequence that is still running.
     *
     * @param sequence index of the prompt in the batch
     * @param tokenId the token just chosen
     * @param textDelta text that became final with this token (may be empty: text that could still turn into a
     *     stop string, or an incomplete character, is held back until it is certain)
     */
    void onToken(int sequence, long tokenId, String textDelta);
}

package org.pathoreason.generate;

/** Why a sequence stopped. */
public enum FinishReason {
    /** a stop token or stop string was produced */
    STOP,
    /** {@code maxNewTokens} was reached */
    LENGTH;

    /** The OpenAI-style name ({@code stop}, {@code length}). */
    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

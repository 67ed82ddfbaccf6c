package org.pathoreason.llm;

import org.pathoreason.util.PathoReasonException;

/**
 * A chat endpoint gave no usable reply after every attempt: it could not be reached, timed out, answered with an
 * HTTP error, or sent a reply the caller could not read. {@link #reason()} is the last attempt's problem
 * ({@code HTTP 401: ...}, {@code timed out after 200 ms}, {@code connection error: ...},
 * {@code unreadable reply: ...}); the message adds the endpoint (without credentials) and the attempt count.
 */
public class LlmException extends PathoReasonException {

    private final String reason;

    public LlmException(String endpoint, String reason, int attempts) {
        super("chat endpoint " + endpoint + ": " + reason + " (" + attempts + (attempts == 1 ? " attempt)" : " attempts)"));
        this.reason = reason;
    }

    /** What went wrong on the last attempt. */
    public String reason() {
        return reason;
    }
}

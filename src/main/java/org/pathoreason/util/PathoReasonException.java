package org.pathoreason.util;

/**
 * The root of every error PathoReason raises on purpose: bad input, a file that cannot be used, a model that does
 * not fit its inputs. Unchecked, so library callers are not forced to wrap every call; the message says which file,
 * line or field is wrong and what was expected. The CLI prints these as one line (exit 1); anything else is an
 * internal error.
 */
public class PathoReasonException extends RuntimeException {
    public PathoReasonException(String message) {
        super(message);
    }

    public PathoReasonException(String message, Throwable cause) {
        super(message, cause);
    }
}

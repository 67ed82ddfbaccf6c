package org.pathoreason.text;

import org.pathoreason.util.PathoReasonException;

/** A tokenizer file that cannot be read, loaded or written; the message names the file and the problem. */
public class TokenizerException extends PathoReasonException {

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.pathoreason.text;

/** A tokenizer file that cannot be read, loaded or written; the message names the file and the problem. */
public class TokenizerException extends RuntimeException {

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}

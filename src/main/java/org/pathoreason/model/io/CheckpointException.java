package org.pathoreason.model.io;

import org.pathoreason.util.PathoReasonException;

/** A checkpoint folder that cannot be used; the message names the folder or file and what is wrong. */
public class CheckpointException extends PathoReasonException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.pathoreason.model.io;

import java.io.IOException;

/** A checkpoint folder that cannot be used; the message names the folder or file and what is wrong. */
public class CheckpointException extends IOException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.pathoreason.model;

import org.pathoreason.util.PathoReasonException;

/**
 * A model could not be built, loaded or run from what it was given: a bad config, a checkpoint with a missing,
 * mis-shaped or unsupported tensor, inputs that do not fit the model. The message names the file, tensor or field
 * and what was expected.
 */
public class ModelException extends PathoReasonException {

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.pathoreason.image;

import org.pathoreason.util.PathoReasonException;

/** An image file that cannot be read; the message names the file and the reason. */
public class ImageReadException extends PathoReasonException {

    public ImageReadException(String message) {
        super(message);
    }

    public ImageReadException(String message, Throwable cause) {
        super(message, cause);
    }
}

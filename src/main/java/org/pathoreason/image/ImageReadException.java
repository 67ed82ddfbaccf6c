package org.pathoreason.image;

import java.io.IOException;

/** An image file that cannot be read; the message names the file and the reason. */
public class ImageReadException extends IOException {

    public ImageReadException(String message) {
        super(message);
    }

    public ImageReadException(String message, Throwable cause) {
        super(message, cause);
    }
}

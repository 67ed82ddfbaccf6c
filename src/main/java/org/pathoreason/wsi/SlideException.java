package org.pathoreason.wsi;

import org.pathoreason.data.DataException;

/** A slide file that cannot be read or a request it cannot answer; the message names the file and what is wrong. */
public class SlideException extends DataException {

    public SlideException(String message) {
        super(message);
    }

    public SlideException(String message, Throwable cause) {
        super(message, cause);
    }
}

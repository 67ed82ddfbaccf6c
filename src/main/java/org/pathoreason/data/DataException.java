package org.pathoreason.data;

import org.pathoreason.util.PathoReasonException;

/** Bad input data; the message names the file and the line or record, and what was expected. */
public class DataException extends PathoReasonException {

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    public static DataException at(Object file, long line, String problem) {
        return new DataException(file + ":" + line + ": " + problem);
    }
}

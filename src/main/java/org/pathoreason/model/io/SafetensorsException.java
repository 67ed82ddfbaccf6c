package org.pathoreason.model.io;

import org.pathoreason.util.PathoReasonException;

import java.nio.file.Path;

/** A safetensors file or sharded index that cannot be read; the message names the file and the problem. */
public class SafetensorsException extends PathoReasonException {

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }

    static SafetensorsException at(Path file, String problem) {
        return new SafetensorsException(file + ": " + problem);
    }

    static SafetensorsException at(Path file, String problem, Throwable cause) {
        return new SafetensorsException(file + ": " + problem, cause);
    }
}

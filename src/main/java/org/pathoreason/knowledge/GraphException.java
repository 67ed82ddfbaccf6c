package org.pathoreason.knowledge;

import org.pathoreason.util.PathoReasonException;

/** A knowledge-graph file that cannot be read; the message names the file, the line where known, and the problem. */
public class GraphException extends PathoReasonException {
    public GraphException(String message) {
        super(message);
    }

    public GraphException(String message, Throwable cause) {
        super(message, cause);
    }

    public static GraphException at(Object file, long line, String problem) {
        return new GraphException(file + ":" + line + ": " + problem);
    }
}

package org.pathoreason.data.pdf;

import java.nio.file.Path;
import org.pathoreason.data.DataException;

/** A PDF that cannot be used: encrypted, damaged, truncated, not a PDF. The message starts with the file. */
public class PdfException extends DataException {

    public PdfException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public PdfException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}

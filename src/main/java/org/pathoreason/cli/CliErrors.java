package org.pathoreason.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.pathoreason.util.PathoReasonException;
import picocli.CommandLine;

/**
 * Prints a user error (bad input, a file that cannot be used: {@link PathoReasonException}, an argument or state
 * the command refuses, an I/O failure) as one clear line, exit 1; anything else is a bug in PathoReason and is
 * reported as an internal error, exit 70 (EX_SOFTWARE). The stack trace is shown with {@code PATHOREASON_DEBUG=1}.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {

    static final int USER_ERROR = 1;
    static final int INTERNAL_ERROR = 70;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        boolean debug = System.getenv("PATHOREASON_DEBUG") != null;
        if (debug) {
            ex.printStackTrace(cmd.getErr());
        }
        if (isUserError(ex)) {
            String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            cmd.getErr().println("error: " + message);
            return USER_ERROR;
        }
        cmd.getErr().println("internal error: " + ex + (debug ? "" : " (a bug in PathoReason; rerun with "
                + "PATHOREASON_DEBUG=1 for the stack trace and report it)"));
        return INTERNAL_ERROR;
    }

    static boolean isUserError(Throwable ex) {
        return ex instanceof PathoReasonException || ex instanceof IllegalArgumentException
                || ex instanceof IllegalStateException || ex instanceof UncheckedIOException
                || ex instanceof IOException;
    }
}

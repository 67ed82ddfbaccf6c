package org.pathoreason.cli;

import picocli.CommandLine;

/**
 * Prints a user error as one clear line instead of a stack trace; the trace is shown with
 * {@code PATHOREASON_DEBUG=1}.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (System.getenv("PATHOREASON_DEBUG") != null) {
            ex.printStackTrace(cmd.getErr());
        }
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cmd.getErr().println("error: " + message);
        return 1;
    }
}

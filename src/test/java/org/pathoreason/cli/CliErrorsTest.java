package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.DataException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CliErrorsTest {

    @Command(name = "fails")
    static final class Fails implements Callable<Integer> {
        RuntimeException thrown;

        @Override
        public Integer call() {
            throw thrown;
        }
    }

    private static int run(RuntimeException e, StringWriter err) {
        Fails f = new Fails();
        f.thrown = e;
        CommandLine cli = new CommandLine(f);
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler(new CliErrors());
        return cli.execute();
    }

    @Test
    void aUserErrorIsOneLineAndExitsOne() {
        StringWriter err = new StringWriter();
        assertThat(run(new DataException("data.jsonl:3: answer 'E' is not an option letter A-D"), err)).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: data.jsonl:3: answer 'E' is not an option letter A-D"
                + System.lineSeparator());
    }

    @Test
    void aBugIsAnInternalErrorWithAHintAndExitsSeventy() {
        StringWriter err = new StringWriter();
        assertThat(run(new NullPointerException("x is null"), err)).isEqualTo(70);
        assertThat(err.toString()).startsWith("internal error: java.lang.NullPointerException: x is null")
                .contains("PATHOREASON_DEBUG=1");
    }
}

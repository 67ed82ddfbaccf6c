package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A seed's child process gets the parent's command line with its own seed and folder. */
class SeedProcessesTest {

    @Test
    void childArgsReplaceSeedsParallelAndOut() {
        List<String> parent = List.of("experiment", "ablation", "--quick", "--seeds", "0,1,2", "--parallel=2",
                "--out", "/runs/a", "--threads", "1", "--no-progress");
        assertThat(SeedProcesses.childArgs(parent, 2, Path.of("/runs/a/seed-2"))).containsExactly("experiment",
                "ablation", "--quick", "--threads", "1", "--seed", "2", "--out", "/runs/a/seed-2", "--no-progress");
    }

    @Test
    void theSubcommandsParseResultHoldsTheWholeCommandLine() {
        CommandLine cli = PathoReasonCli.commandLine();
        CommandLine.ParseResult root = cli.parseArgs("experiment", "ablation", "--quick", "--seeds", "0,1",
                "--parallel", "2", "--out", "x");
        CommandLine.ParseResult sub = root.subcommand().subcommand();
        assertThat(sub.commandSpec().name()).isEqualTo("ablation");
        assertThat(sub.originalArgs()).startsWith("experiment", "ablation");
        assertThat(SeedProcesses.childArgs(sub.originalArgs(), 1, Path.of("x/seed-1"))).containsExactly("experiment",
                "ablation", "--quick", "--seed", "1", "--out", "x/seed-1", "--no-progress");
    }

    @Test
    void childrenRunSideBySideEachWithItsLogAndFailuresAreReported(@TempDir Path out) throws Exception {
        // 'experiment --help --seed N ...': prints the usage and exits 0; 'kg --seed N ...' is refused (exit 2)
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<Long> ok = SeedProcesses.run(List.of(3L, 4L), 2, out, List.of("experiment", "ablation", "--help"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(ok).containsExactly(3L, 4L);
        assertThat(Files.readString(out.resolve("seed-3").resolve(SeedProcesses.LOG))).contains("Usage:",
                "--parallel");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("seed 3: started", "seed 4: finished");
        List<Long> none = SeedProcesses.run(List.of(5L), 2, out, List.of("kg"), new PrintStream(log, true,
                StandardCharsets.UTF_8));
        assertThat(none).isEmpty();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("seed 5: FAILED with exit code");
    }

    @Test
    void theChildRunsThisJvmsJavaWithItsClassPath() {
        List<String> cmd = SeedProcesses.javaCommand();
        assertThat(cmd.get(0)).endsWith("java");
        assertThat(cmd).contains("-cp", System.getProperty("java.class.path"));
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo(PathoReasonCli.class.getName());
    }
}

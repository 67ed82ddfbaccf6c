package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.SampleJsonl;
import picocli.CommandLine;

class SynthCommandTest {

    @TempDir
    Path tmp;

    @Test
    void writesADatasetFromTheCommandLine() throws Exception {
        Path out = tmp.resolve("synth");
        int code = new CommandLine(new SynthCommand()).execute("--out", out.toString(), "--seed", "3", "--scale",
                "0.002", "--size", "112", "--threads", "2");
        assertThat(code).isZero();
        assertThat(SampleJsonl.read(out.resolve("sft.jsonl"))).hasSize(6);
        assertThat(SampleJsonl.read(out.resolve("test.jsonl"))).hasSize(3);
        assertThat(out.resolve("graph.json")).exists();
        assertThat(out.resolve("contact-sheet.png")).exists();
        assertThat(Files.readString(out.resolve("DATASET.md"))).contains("--seed 3 --scale 0.002 --size 112");
    }

    @Test
    void outIsRequiredForGenerationButNotForTheProbe() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SynthCommand());
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("--seed", "1")).isNotZero();
        assertThat(err.toString()).contains("Missing required option: '--out=<out>'");
        CommandLine.ParseResult parsed = new CommandLine(new SynthCommand()).parseArgs("probe", "--size", "64");
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("probe");
    }

    @Test
    void badArgumentsGiveAClearError() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SynthCommand());
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler(new CliErrors());
        int code = cli.execute("--out", tmp.resolve("x").toString(), "--size", "20");
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("image size must be between 64 and 1024 pixels, got 20");
    }
}

package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataPdfCommandTest {

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = PathoReasonCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void writesPairsCountsAndAContactSheetAndPrintsTheCounts() {
        Path pdf = Path.of("src/test/resources/org/pathoreason/data/pdf/datta-2010-jtmo-no-figures.pdf");
        Path o = dir.resolve("pairs");
        assertThat(run("data", "pdf", "--in", pdf.toString(), "--out", o.toString())).isZero();
        assertThat(out.toString()).contains("datta-2010-jtmo-no-figures", "note: no images in the file",
                "0 pairs (0 figures");
        assertThat(err.toString()).contains("[1/1] " + pdf + ": 4 pages, 0 figures");
        assertThat(o.resolve("pairs.jsonl")).isRegularFile();
        assertThat(o.resolve("counts.json")).isRegularFile();
        assertThat(o.resolve("contact-sheet.html")).isRegularFile();
    }

    @Test
    void aBadPdfIsOneLineNamingItAndExitOne() throws Exception {
        Path junk = dir.resolve("scan.pdf");
        Files.writeString(junk, "not a pdf");
        assertThat(run("data", "pdf", "--in", junk.toString(), "--out", dir.resolve("o").toString())).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("error: " + junk + ": not a PDF (no %PDF- header in its first "
                + "bytes)");
        assertThat(dir.resolve("o")).doesNotExist();
        assertThat(run("data", "pdf", "--in", junk.toString(), "--out", dir.resolve("o").toString(),
                "--check-url", "http://127.0.0.1:9/v1")).isEqualTo(1);
        assertThat(err.toString()).contains("needs both --check-url and --check-model");
    }
}

package org.pathoreason.cli;

import org.pathoreason.data.Sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.text.Tokenizer;
import picocli.CommandLine;

class TokenizerCommandTest {

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = new CommandLine(new TokenizerCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainsWritesAndEncodes() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            lines.add("Sample " + i + ": the tissue shows plasma cells and chronic inflammation.");
        }
        Files.write(corpus, lines);
        Path out = dir.resolve("tok/tokenizer.json");
        Run r = run("train", "--corpus", corpus.toString(), "--vocab", "300", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("vocab size 300").contains("ids:").contains("decode: Sample 0: the tissue");
        assertThat(dir.resolve("tok/tokenizer_config.json")).exists();
        try (Tokenizer t = Tokenizer.load(out)) {
            assertThat(t.vocabSize()).isEqualTo(300);
        }

        Run e = run("encode", "--tokenizer", out.getParent().toString(), "--text", "<think>plasma</think>");
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("tokens: [<think>, ").contains("decode: <think>plasma</think>");
    }

    @Test
    void missingCorpusFailsWithTheFileName() {
        Run r = run("train", "--corpus", dir.resolve("nope.txt").toString(), "--out",
                dir.resolve("t.json").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("nope.txt").contains("not found");
        assertThat(dir.resolve("t.json")).doesNotExist();
    }

    @Test
    void requiresOptions() {
        Run r = run("train", "--out", "x.json");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--corpus");
    }
}

package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.knowledge.KnowledgeGraph;
import picocli.CommandLine;

class KgCommandTest {

    @TempDir
    Path dir;

    Path graphFile;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void writeGraph() {
        graphFile = dir.resolve("mini.json");
        KnowledgeGraph.builder().name("mini")
                .addEntity("plasma_cell", "plasma cell", "finding", "plasmacyte")
                .addEntity("lymphocyte", "lymphocyte", "finding")
                .addEntity("chronic", "chronic inflammation", "diagnosis")
                .addEntity("acute", "acute inflammation", "diagnosis")
                .addRelation("plasma_cell", "suggests", "chronic")
                .addRelation("chronic", "has_finding", "plasma_cell")
                .addRelation("chronic", "has_finding", "lymphocyte")
                .addRelation("chronic", "differential_of", "acute")
                .build().writeJson(graphFile);
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new KgCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void pathsByNameAndSynonym() {
        int rc = run("paths", "--graph", graphFile.toString(), "--from", "Plasmacyte", "--to", "chronic inflammation");
        assertThat(rc).isZero();
        assertThat(out.toString()).isEqualToNormalizingNewlines("""
                plasma cell -> chronic inflammation: 2 paths
                  plasma cell -[suggests]-> chronic inflammation
                  plasma cell <-[has_finding]- chronic inflammation
                """);
    }

    @Test
    void pathsHonourOptions() {
        int rc = run("paths", "-g", graphFile.toString(), "--from", "lymphocyte", "--from", "plasma_cell",
                "--to", "acute inflammation", "--max-paths", "1", "--direction", "forward");
        assertThat(rc).isZero();
        assertThat(out.toString()).isEqualToNormalizingNewlines("""
                lymphocyte -> acute inflammation: no path within 3 steps
                plasma cell -> acute inflammation: 1 path
                  plasma cell -[suggests]-> chronic inflammation -[differential_of]-> acute inflammation
                """);
        out.getBuffer().setLength(0);
        assertThat(run("paths", "-g", graphFile.toString(), "--from", "lymphocyte", "--to", "acute inflammation",
                "--max-len", "1")).isZero();
        assertThat(out.toString()).contains("no path within 1 step");
    }

    @Test
    void unknownEntityIsAUsageErrorWithSuggestions() {
        int rc = run("paths", "--graph", graphFile.toString(), "--from", "inflammation", "--to", "acute");
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("no entity named 'inflammation' in mini")
                .contains("did you mean: chronic inflammation, acute inflammation?");
    }

    @Test
    void statsMatchAndConvert() throws Exception {
        assertThat(run("stats", "--graph", graphFile.toString())).isZero();
        assertThat(out.toString()).contains("entities    4").contains("  finding                  2")
                .contains("  has_finding              2").contains("isolated    0");
        out.getBuffer().setLength(0);
        assertThat(run("match", "--graph", graphFile.toString(), "Many plasmacytes and lymphocytes.")).isZero();
        assertThat(out.toString()).isEqualToNormalizingNewlines(
                "5-16\tplasmacytes\tplasma_cell\tplasma cell\n21-32\tlymphocytes\tlymphocyte\tlymphocyte\n");
        Path tsv = dir.resolve("g.tsv");
        Files.writeString(tsv, "#entity\ta\tfinding\talpha\n#entity\tb\tdiagnosis\tbeta\na\tsuggests\tb\n");
        out.getBuffer().setLength(0);
        Path json = dir.resolve("g.json");
        assertThat(run("convert", "--graph", tsv.toString(), "--out", json.toString())).isZero();
        assertThat(out.toString()).contains("2 entities, 1 relations");
        assertThat(KnowledgeGraph.load(json).relations()).isEqualTo(KnowledgeGraph.load(tsv).relations());
    }
}

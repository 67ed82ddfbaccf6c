package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.reward.TestGraph;
import org.pathoreason.reward.TestSamples;
import org.pathoreason.util.Json;
import picocli.CommandLine;

class RewardCommandTest {

    @TempDir
    Path tmp;

    private String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RewardCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler(new CliErrors());
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void scoresPredictionsWithSeveralRewardsAndWritesPerSampleScores() throws IOException {
        Path data = tmp.resolve("data.jsonl");
        SampleJsonl.write(data, List.of(TestSamples.withEntities(TestSamples.mcq(), List.of("plasma cell"))));
        Path preds = tmp.resolve("preds.jsonl");
        Files.writeString(preds, "{\"id\": \"t-mcq\", \"prediction\": \"<observe>plasma cells</observe><think>Plasma "
                + "cells indicate chronic inflammation.</think><answer>B</answer>\", \"output_tokens\": 20}\n");
        Path graph = tmp.resolve("kg.json");
        TestGraph.graph().writeJson(graph);
        Path scores = tmp.resolve("scores.jsonl");
        String[] r = run("--data", data.toString(), "--predictions", preds.toString(), "--graph", graph.toString(),
                "--rewards", "format-observe,accuracy,entity,process-kg,length", "--out", scores.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("1 predictions scored").contains("accuracy ").contains("process/integrity");
        JsonNode line = Json.MAPPER.readTree(Files.readAllLines(scores).get(0));
        assertThat(line.get("id").asText()).isEqualTo("t-mcq");
        assertThat(line.at("/parts/format").asDouble()).isEqualTo(1.0);
        assertThat(line.at("/parts/accuracy").asDouble()).isEqualTo(1.0);
        // P = {plasma cell, chronic inflammation}, G = {plasma cell}: 2/3.
        assertThat(line.at("/parts/entity").asDouble()).isBetween(0.66, 0.67);
    }

    @Test
    void explainsMissingInputsInOneLine() throws IOException {
        Path data = tmp.resolve("data.jsonl");
        SampleJsonl.write(data, List.of(TestSamples.mcq()));
        Path preds = tmp.resolve("preds.jsonl");
        Files.writeString(preds, "{\"id\": \"t-mcq\", \"prediction\": \"x\"}\n");
        String[] r = run("--data", data.toString(), "--predictions", preds.toString(), "--rewards", "entity");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).contains("needs --graph");
        Files.writeString(preds, "{\"id\": \"other\", \"prediction\": \"x\"}\n");
        r = run("--data", data.toString(), "--predictions", preds.toString());
        assertThat(r[2]).contains("'other' is not in");
    }
}

package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.train.RunInfo;
import org.pathoreason.train.sft.SftFixtures;
import picocli.CommandLine;

class TrainCommandTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeAll
    static void setUp() {
        model = SftFixtures.modelDir(dir.resolve("model"), 5);
        data = SftFixtures.dataset(dir.resolve("data"), "train.jsonl", 4);
        JniUtils.setNumThreads(1);
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new TrainCommand());
        cli.setExecutionExceptionHandler(new CliErrors());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void sftRunsFromConfigFileAndOverridesAndRecordsTheResolvedConfig() throws Exception {
        Path config = dir.resolve("sft.yaml");
        Files.writeString(config, """
                train:
                  lr: 1.0e-3
                  max_steps: 2
                  batch_size: 2
                sft:
                  target: observe-think-answer
                  loss_mask_tags: [observe]
                """);
        Path runDir = dir.resolve("runs/cli");
        int rc = run("sft", "--data", data.toString(), "--model", model.toString(), "--out", runDir.toString(),
                "--config", config.toString(), "--set", "train.max_steps=3", "--set", "sft.answer_style=letter-text",
                "--no-progress");
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("sft done: 3 steps (3 this run) on 4 examples, loss ")
                .contains("model: " + runDir.resolve("final"));
        JsonNode run = RunInfo.read(runDir);
        assertThat(run.at("/config/train/lr").asDouble()).isEqualTo(1e-3);
        assertThat(run.at("/config/train/max_steps").asInt()).isEqualTo(3);
        assertThat(run.at("/config/sft/target").asText()).isEqualTo("observe-think-answer");
        assertThat(run.at("/config/sft/answer_style").asText()).isEqualTo("letter-text");
        assertThat(run.at("/config/sft/loss_mask_tags/0").asText()).isEqualTo("observe");
        assertThat(run.at("/provenance/overrides")).hasSize(2);
        assertThat(run.at("/provenance/config_sha256").asText()).hasSize(64);
        assertThat(runDir.resolve("final/model.safetensors")).exists();
    }

    @Test
    void pretrainTrainsOnCaptions() {
        Path runDir = dir.resolve("runs/pre");
        int rc = run("pretrain", "--data", data.toString(), "--model", model.toString(), "--out", runDir.toString(),
                "--set", "train.max_steps=1", "--no-progress");
        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("pretrain done: 1 steps");
        assertThat(RunInfo.read(runDir).get("stage").asText()).isEqualTo("pretrain");
    }

    @Test
    void mistakesAreOneLineErrors() throws Exception {
        assertThat(run("sft", "--data", data.toString(), "--model", model.toString(), "--out",
                dir.resolve("runs/x").toString(), "--set", "train.lrr=1")).isEqualTo(1);
        assertThat(err.toString()).contains("error: ").contains("unknown key 'train.lrr'");

        Path bad = dir.resolve("data/bad.jsonl");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(data));
        lines.add(1, "not json");
        Files.write(bad, lines);
        err.getBuffer().setLength(0);
        assertThat(run("sft", "--data", bad.toString(), "--model", model.toString(), "--out",
                dir.resolve("runs/y").toString(), "--set", "train.max_steps=1")).isEqualTo(1);
        assertThat(err.toString()).contains("error: " + bad + ":2: malformed JSON");

        err.getBuffer().setLength(0);
        int rc = run("sft", "--data", bad.toString(), "--model", model.toString(), "--out",
                dir.resolve("runs/z").toString(), "--set", "train.max_steps=1", "--set", "sft.on_bad_sample=skip",
                "--no-progress");
        assertThat(rc).as(err.toString()).isZero();
        assertThat(RunInfo.read(dir.resolve("runs/z")).at("/provenance/data_summary/bad_samples_skipped").asInt())
                .isEqualTo(1);
    }
}

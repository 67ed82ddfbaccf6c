package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.Prediction;
import org.pathoreason.eval.Predictions;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.util.Json;
import picocli.CommandLine;

class EvalCommandTest {

    @TempDir
    static Path root;

    static TinyEvalFixture fixture;
    static int threads;

    @BeforeAll
    static void setUp() throws IOException {
        Engines.start();
        threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        fixture = TinyEvalFixture.create(root);
    }

    @AfterAll
    static void tearDown() {
        JniUtils.setNumThreads(threads);
    }

    record Run(int code, String out, String err) {
    }

    static Run run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler(new CliErrors());
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void scoringThePredictionsFileGivesEvalsMetrics() throws IOException {
        Path out = root.resolve("eval-out");
        Run eval = run(new EvalCommand(), "--model", fixture.checkpoint.toString(), "--data", fixture.data.toString(),
                "--extract", "pathmmu", "--random-fallback", "--style", "think-answer", "--batch-size", "4",
                "--max-new-tokens", "12", "--out", out.toString(), "--no-progress");
        assertThat(eval.code()).as(eval.err()).isZero();
        assertThat(eval.out()).contains("evaluated 7 samples (0 resumed, 7 generated)")
                .contains("wrote " + out.resolve("report.html"));
        List<Prediction> preds = Predictions.read(out.resolve("predictions.jsonl"));
        assertThat(preds).hasSize(7).allSatisfy(p -> assertThat(p.outputTokens()).isNotNull());

        Path json = root.resolve("scored.json");
        Run score = run(new ScoreCommand(), "--pred", out.resolve("predictions.jsonl").toString(), "--data",
                fixture.data.toString(), "--extract", "pathmmu", "--random-fallback", "--json", json.toString());
        assertThat(score.code()).as(score.err()).isZero();
        JsonNode fromEval = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
        JsonNode fromScore = Json.MAPPER.readTree(json.toFile());
        assertThat(fromScore).isEqualTo(fromEval);
        assertThat(fromEval.get("n").asInt()).isEqualTo(7);
        assertThat(fromEval.get("random_fallback").asBoolean()).isTrue();
        // Scoring with another extraction gives other figures: the comparison above is not vacuous.
        Run strict = run(new ScoreCommand(), "--pred", out.resolve("predictions.jsonl").toString(), "--data",
                fixture.data.toString(), "--json", json.toString());
        assertThat(strict.code()).isZero();
        assertThat(Json.MAPPER.readTree(json.toFile())).isNotEqualTo(fromEval);

        JsonNode info = Json.MAPPER.readTree(out.resolve("eval.json").toFile());
        assertThat(info.get("generation").get("style").asText()).isEqualTo("think-answer");
        assertThat(info.get("generation").get("model").asText())
                .startsWith(fixture.checkpoint.toAbsolutePath().normalize().toString() + "@");

        // Started again: nothing left to generate, same metrics.
        Run again = run(new EvalCommand(), "--model", fixture.checkpoint.toString(), "--data",
                fixture.data.toString(), "--extract", "pathmmu", "--random-fallback", "--style", "think-answer",
                "--max-new-tokens", "12", "--out", out.toString(), "--no-progress");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("evaluated 7 samples (7 resumed, 0 generated)");
        assertThat(Json.MAPPER.readTree(out.resolve("metrics.json").toFile())).isEqualTo(fromEval);

        // Another length limit in the same folder is refused with a way out.
        Run other = run(new EvalCommand(), "--model", fixture.checkpoint.toString(), "--data",
                fixture.data.toString(), "--style", "think-answer", "--max-new-tokens", "20", "--out", out.toString(),
                "--no-progress");
        assertThat(other.code()).isNotZero();
        assertThat(other.err()).contains("max_new_tokens: 12 -> 20").contains("--fresh");
    }

    @Test
    void aCheckpointWithoutTokenizerIsNamedInTheError() throws IOException {
        Path broken = root.resolve("no-tokenizer");
        Files.createDirectories(broken);
        Files.copy(fixture.checkpoint.resolve("config.json"), broken.resolve("config.json"));
        Run r = run(new EvalCommand(), "--model", broken.toString(), "--data", fixture.data.toString(), "--out",
                root.resolve("x").toString(), "--no-progress");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("error: checkpoint " + broken + " has no tokenizer.json");
    }

    @Test
    void defaultOutputFolderNamesRunCheckpointAndData() {
        assertThat(EvalCommand.defaultOut(Path.of("/runs/sft/final"), Path.of("data/test.jsonl")))
                .isEqualTo(Path.of("eval", "sft-final-test.jsonl"));
    }
}

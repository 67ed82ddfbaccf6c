package org.pathoreason.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.EvalOptions;
import org.pathoreason.eval.EvalRunner;
import org.pathoreason.eval.Prediction;
import org.pathoreason.eval.Predictions;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.util.Json;

class SparkEvalTest {

    @TempDir
    static Path dir;

    static TinyEvalFixture fixture;
    static List<Prediction> singleProcess;

    @BeforeAll
    static void singleProcessEval() throws IOException {
        Engines.start();
        fixture = TinyEvalFixture.create(dir.resolve("tiny"));
        try (NDManager m = Engines.newManager(); CheckpointBundle ckpt = CheckpointBundle.open(fixture.checkpoint, m)) {
            singleProcess = new EvalRunner(ckpt, options()).run(fixture.samples, fixture.data.getParent())
                    .predictions();
        }
    }

    private static EvalOptions options() {
        return EvalOptions.DEFAULTS.withMaxNewTokens(12).withBatchSize(8).withProgress(false);
    }

    private static SparkEval.Job job(Path data, Path out, int partitions, boolean strict) {
        return new SparkEval.Job(fixture.checkpoint.toString(), data.toString(), out.toString(), partitions,
                PromptStyle.COT, 12, 8, 0, 0, 0, strict);
    }

    private static JavaSparkContext spark(String master) {
        return new JavaSparkContext(new SparkConf().setMaster(master).setAppName("test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    }

    @Test
    void localTwoReproducesSingleProcessPredictionsExactly() throws IOException {
        Path out = dir.resolve("local2");
        try (JavaSparkContext spark = spark("local[2]")) {
            SparkEval.Result r = SparkEval.run(spark, job(fixture.data, out, 3, false), ScoreOptions.DEFAULTS);
            assertThat(r.samples()).isEqualTo(fixture.samples.size());
            assertThat(r.partitionsRun()).isEqualTo(3);
        }
        assertThat(Predictions.read(out.resolve("predictions.jsonl"))).isEqualTo(singleProcess);
        assertThat(out.resolve("metrics.json")).exists();
        JsonNode info = Json.MAPPER.readTree(out.resolve("spark.json").toFile());
        assertThat(info.path("model_load_seconds").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(info.path("partitions").asInt()).isEqualTo(3);
    }

    @Test
    void aTaskThatDiesIsRetriedWithNothingLostOrDuplicated() throws IOException {
        Path out = dir.resolve("retried");
        System.setProperty(SparkEval.FAIL_PARTITION_PROPERTY, "1");
        try (JavaSparkContext spark = spark("local[2,3]")) {
            SparkEval.run(spark, job(fixture.data, out, 3, false), ScoreOptions.DEFAULTS);
        } finally {
            System.clearProperty(SparkEval.FAIL_PARTITION_PROPERTY);
        }
        List<Prediction> merged = Predictions.read(out.resolve("predictions.jsonl"));
        assertThat(merged).isEqualTo(singleProcess);
        List<Prediction> parts = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            parts.addAll(Predictions.read(SparkEval.partFile(out, p)));
        }
        assertThat(parts).hasSize(fixture.samples.size()).containsExactlyInAnyOrderElementsOf(singleProcess);
    }

    @Test
    void aCorruptRecordIsReportedAndSkippedUnlessStrict() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(fixture.data));
        lines.add(2, "{\"id\": \"broken\", \"task\": ");
        Path data = fixture.data.resolveSibling("with-bad-line.jsonl");
        Files.write(data, lines);
        Path out = dir.resolve("skipped");
        try (JavaSparkContext spark = spark("local[2]")) {
            SparkEval.Result r = SparkEval.run(spark, job(data, out, 2, false), ScoreOptions.DEFAULTS);
            assertThat(r.skipped()).isEqualTo(1);
            assertThat(Predictions.read(out.resolve("predictions.jsonl"))).isEqualTo(singleProcess);
            JsonNode info = Json.MAPPER.readTree(out.resolve("spark.json").toFile());
            assertThat(info.path("bad_records").get(0).asText()).contains("with-bad-line.jsonl:3");
            assertThatThrownBy(() -> SparkEval.run(spark, job(data, dir.resolve("strict"), 2, true),
                    ScoreOptions.DEFAULTS)).isInstanceOf(DataException.class).hasMessageContaining(
                    "with-bad-line.jsonl:3");
        }
    }
}

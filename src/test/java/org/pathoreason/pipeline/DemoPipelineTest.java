package org.pathoreason.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.Predictions;
import org.pathoreason.util.Json;

/**
 * The reduced demo end to end: a tiny world, a few steps per stage. Nothing is expected to be learnt in so few
 * steps; the test checks that every stage ran, evaluated the whole test split and left its files, that the
 * figures are real, and that a second run resumes instead of training again.
 */
class DemoPipelineTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        Engines.start();
    }

    @Test
    void reducedDemoRunsEveryStageAndResumes() throws Exception {
        Path out = dir.resolve("demo");
        PipelineSettings settings = PipelineSettings.smoke();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Pipeline.Result r = Demo.pipeline(out, settings, new PrintStream(log, true, StandardCharsets.UTF_8), false)
                .run();

        List<String> names = List.of("base", "pretrain", "sft", "grpo", "grpo_process");
        JsonNode results = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertThat(results.get("stages")).hasSize(5);
        int testSize = SampleJsonl.read(out.resolve("world/test.jsonl")).size();
        assertThat(testSize).isEqualTo(settings.testSamples());
        Map<String, Integer> closedPerSubset = new TreeMap<>();
        for (Sample t : SampleJsonl.read(out.resolve("world/test.jsonl"))) {
            if (Sample.MCQ.equals(t.task()) || Sample.YESNO.equals(t.task())) {
                closedPerSubset.merge(t.subset(), 1, Integer::sum);
            }
        }
        for (int i = 0; i < names.size(); i++) {
            JsonNode s = results.get("stages").get(i);
            assertThat(s.get("name").asText()).isEqualTo(names.get(i));
            for (String key : List.of("accuracy", "format_rate", "entity_score", "judge_score", "accuracy_no_guess")) {
                assertThat(s.get(key).isNumber()).as(names.get(i) + " " + key).isTrue();
                assertThat(s.get(key).asDouble()).as(names.get(i) + " " + key).isBetween(0.0, 1.0);
            }
            assertThat(s.get("mean_output_tokens").asDouble()).isBetween(1.0, (double) settings.evalMaxNewTokens());
            assertThat(s.get("n").asInt()).isEqualTo(testSize);
            assertThat(s.get("accuracy").asDouble()).isGreaterThanOrEqualTo(s.get("accuracy_no_guess").asDouble());
            // the per-subset accuracies are the overall one split by kind of question
            JsonNode sub = s.get("subset_accuracy");
            List<String> keys = new ArrayList<>();
            sub.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactlyElementsOf(closedPerSubset.keySet());
            double weighted = 0;
            int closed = 0;
            for (Map.Entry<String, Integer> e : closedPerSubset.entrySet()) {
                weighted += sub.get(e.getKey()).asDouble() * e.getValue();
                closed += e.getValue();
            }
            assertThat(weighted / closed).as(names.get(i)).isCloseTo(s.get("accuracy").asDouble(), within(1e-9));

            Path stage = out.resolve(names.get(i));
            assertThat(stage.resolve("run.json")).isRegularFile();
            assertThat(stage.resolve("metrics.jsonl")).isRegularFile();
            assertThat(stage.resolve("final/model.safetensors")).isRegularFile();
            assertThat(stage.resolve("final/tokenizer.json")).isRegularFile();
            assertThat(Predictions.read(stage.resolve("eval/predictions.jsonl"))).hasSize(testSize);
        }
        // trained stages logged one metrics line per step
        assertThat(Files.readAllLines(out.resolve("sft/metrics.jsonl"))).hasSize(3);
        assertThat(Files.readAllLines(out.resolve("grpo/metrics.jsonl"))).hasSize(1);
        assertThat(Files.readString(out.resolve("grpo_process/run.json"))).contains("reward.weights.process=1.0");

        String html = Files.readString(r.reportFile());
        assertThat(r.reportFile()).isEqualTo(out.resolve("report.html"));
        for (String n : names) {
            assertThat(html).contains(n);
        }
        assertThat(html).contains("plots/stages.png", "plots/sft-loss.png", "plots/grpo-reward.png");
        assertThat(out.resolve("plots/stages.png")).isRegularFile();
        String printed = log.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("[1/5] base", "[5/5] grpo_process", "results: ", "accuracy by question subset");

        // a second run finds every stage complete and trains nothing
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Pipeline.Result r2 = Demo.pipeline(out, settings, new PrintStream(again, true, StandardCharsets.UTF_8),
                false).run();
        assertThat(again.toString(StandardCharsets.UTF_8)).contains("[3/5] sft: done earlier").doesNotContain(
                "trained in");
        assertThat(r2.stages()).isEqualTo(r.stages());

        // over seeds: seed 0 is the run above (resumed, nothing trained), seed 1 is trained; the summary is their mean
        Path seedsOut = dir.resolve("seeds");
        copyTree(out, SeedRuns.seedDir(seedsOut, 0));
        ByteArrayOutputStream seedLog = new ByteArrayOutputStream();
        SeedRuns.Result sr = SeedRuns.run(seedsOut, List.of(0L, 1L), Demo.TITLE,
                (sd, d) -> Demo.pipeline(d, settings.withSeed(sd), new PrintStream(seedLog, true,
                        StandardCharsets.UTF_8), false), new PrintStream(seedLog, true, StandardCharsets.UTF_8));
        assertThat(seedLog.toString(StandardCharsets.UTF_8)).contains("[3/5] sft: done earlier", "== seed 1 (2 of 2)");
        JsonNode summary = Json.MAPPER.readTree(seedsOut.resolve(SeedRuns.SUMMARY).toFile());
        assertThat(summary.get("stages")).hasSize(5);
        for (int i = 0; i < names.size(); i++) {
            JsonNode st = summary.get("stages").get(i);
            double a0 = stageScores(seedsOut, 0, names.get(i)).accuracy();
            double a1 = stageScores(seedsOut, 1, names.get(i)).accuracy();
            assertThat(a0).isEqualTo(r.stages().get(i).accuracy());
            assertThat(st.get("name").asText()).isEqualTo(names.get(i));
            assertThat(st.get("seeds").asInt()).isEqualTo(2);
            assertThat(st.get("accuracy_mean").asDouble()).isCloseTo((a0 + a1) / 2, within(1e-12));
            assertThat(st.get("accuracy_sd").asDouble()).isCloseTo(Math.abs(a0 - a1) / Math.sqrt(2), within(1e-12));
            assertThat(st.get("accuracy_min").asDouble()).isEqualTo(Math.min(a0, a1));
        }
        assertThat(Files.readString(sr.reportFile())).contains("seed-1/report.html", "grpo_process",
                "claims, tested", "McNemar p");
        claimsAgreeWithTheStagesFigures(seedsOut, summary, sr);

        // other settings in the same folder are refused
        assertThatThrownBy(() -> Demo.pipeline(out, settings.withSeed(7), new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8), false).run()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("other settings");
    }

    private static StageScores stageScores(Path seedsOut, long seed, String stage) {
        return StageScores.read(SeedRuns.seedDir(seedsOut, seed).resolve(stage).resolve("eval/scores.json"));
    }

    /**
     * The per-question files reproduce each stage's figures exactly, so the claims' paired means are the table's
     * accuracies, token counts and entity scores; over two seeds each part has a t interval around the mean of the
     * seeds' differences.
     */
    private static void claimsAgreeWithTheStagesFigures(Path seedsOut, JsonNode summary, SeedRuns.Result sr) {
        JsonNode claims = summary.get("claims");
        assertThat(claims).hasSize(Demo.CLAIMS.size());
        assertThat(sr.claims()).hasSize(Demo.CLAIMS.size());
        for (JsonNode c : claims) {
            assertThat(c.get("verdict").asText()).isIn("HOLDS", "DOES_NOT_HOLD", "UNDECIDED");
            for (JsonNode p : c.get("parts")) {
                String measure = p.get("part").get("measure").asText();
                assertThat(p.get("interval").asText()).isEqualTo(ClaimTests.T_OVER_SEEDS);
                double sum = 0;
                for (JsonNode sd : p.get("seeds")) {
                    long seed = sd.get("seed").asLong();
                    StageScores stage = stageScores(seedsOut, seed, p.get("part").get("stage").asText());
                    StageScores base = stageScores(seedsOut, seed, p.get("part").get("baseline").asText());
                    double expectStage = switch (measure) {
                        case "ACCURACY" -> stage.accuracy();
                        case "OUTPUT_TOKENS" -> stage.meanOutputTokens();
                        default -> stage.entityScore();
                    };
                    double expectBase = switch (measure) {
                        case "ACCURACY" -> base.accuracy();
                        case "OUTPUT_TOKENS" -> base.meanOutputTokens();
                        default -> base.entityScore();
                    };
                    assertThat(sd.get("stage_mean").asDouble()).as(measure).isCloseTo(expectStage, within(1e-9));
                    assertThat(sd.get("baseline_mean").asDouble()).as(measure).isCloseTo(expectBase, within(1e-9));
                    JsonNode d = sd.get("difference");
                    assertThat(d.get("estimate").asDouble()).isCloseTo(expectStage - expectBase, within(1e-9));
                    assertThat(d.get("low").asDouble()).isLessThanOrEqualTo(d.get("estimate").asDouble());
                    assertThat(d.get("high").asDouble()).isGreaterThanOrEqualTo(d.get("estimate").asDouble());
                    if (measure.equals("ACCURACY")) {
                        assertThat(sd.get("n").asInt()).isEqualTo(stage.nClosed());
                        assertThat(sd.get("mcnemar_p").asDouble()).isBetween(0.0, 1.0);
                    } else {
                        assertThat(sd.get("n").asInt()).isEqualTo(stage.n());
                        assertThat(sd.has("mcnemar_p")).isFalse();
                    }
                    sum += d.get("estimate").asDouble();
                }
                assertThat(p.get("difference").get("estimate").asDouble()).isCloseTo(sum / 2, within(1e-12));
            }
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}

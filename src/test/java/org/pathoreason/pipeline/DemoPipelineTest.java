package org.pathoreason.pipeline;

import org.pathoreason.data.Task;

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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.Predictions;
import org.pathoreason.util.Json;

/**
 * The reduced demo end to end: a tiny world, a few steps per stage. Nothing is expected to be learnt in so few
 * steps; the tests check that every stage ran, evaluated the whole test split and left its files, that the
 * figures are real, and that a second run resumes instead of training again.
 *
 * <p>One run is shared by the class and built in order, one test per step (world, then each stage by name, then
 * the whole pipeline resuming), so that a failure names the stage that broke; stages after a failed one are
 * skipped, not failed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES) // the longest tests of the suite: a minute each on a quiet 2-core machine
class DemoPipelineTest {

    static final List<String> NAMES = List.of("base", "pretrain", "sft", "grpo", "grpo_process");

    @TempDir
    static Path dir;

    final PipelineSettings settings = PipelineSettings.smoke();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final List<StageScores> scores = new ArrayList<>();
    Path out;
    Workspace workspace;
    StageRunner runner;
    List<StageSpec> stages;
    boolean prepared;
    String failedStage;

    @BeforeAll
    void engine() {
        Engines.start();
        out = dir.resolve("demo");
        workspace = new Workspace(out, settings);
        runner = new StageRunner(workspace, printer(log), false);
        stages = Demo.stages(settings);
    }

    @Test
    @Order(1)
    void worldAndTokenizerArePrepared() {
        workspace.prepare(printer(log), false);
        assertThat(SampleJsonl.read(workspace.testFile())).hasSize(settings.testSamples());
        assertThat(workspace.tokenizerFile()).isRegularFile();
        assertThat(stages).extracting(StageSpec::name).containsExactlyElementsOf(NAMES);
        prepared = true;
    }

    @Test
    @Order(2)
    void stageBase() throws Exception {
        runStage("base");
    }

    @Test
    @Order(3)
    void stagePretrain() throws Exception {
        runStage("pretrain");
    }

    @Test
    @Order(4)
    void stageSft() throws Exception {
        runStage("sft");
    }

    @Test
    @Order(5)
    void stageGrpo() throws Exception {
        runStage("grpo");
    }

    @Test
    @Order(6)
    void stageGrpoProcess() throws Exception {
        runStage("grpo_process");
    }

    /** Trains and evaluates one stage and checks its figures and files. */
    private void runStage(String name) throws Exception {
        int i = NAMES.indexOf(name);
        Assumptions.assumeTrue(prepared, "the world was not prepared");
        Assumptions.assumeTrue(failedStage == null, () -> "stage " + failedStage + " failed before " + name);
        failedStage = name; // until this stage has passed
        StageScores s = runner.run(stages.get(i), i + 1, stages.size());
        scores.add(s);

        int testSize = settings.testSamples();
        JsonNode row = Json.MAPPER.valueToTree(s);
        assertThat(s.name()).isEqualTo(name);
        for (String key : List.of("accuracy", "format_rate", "entity_score", "judge_score", "accuracy_no_guess")) {
            assertThat(row.get(key).isNumber()).as(name + " " + key).isTrue();
            assertThat(row.get(key).asDouble()).as(name + " " + key).isBetween(0.0, 1.0);
        }
        assertThat(s.meanOutputTokens()).isBetween(1.0, (double) settings.evalMaxNewTokens());
        assertThat(s.n()).isEqualTo(testSize);
        assertThat(s.accuracy()).isGreaterThanOrEqualTo(s.accuracyNoGuess());
        // the per-subset accuracies are the overall one split by kind of question
        Map<String, Integer> closedPerSubset = closedPerSubset();
        assertThat(s.subsetAccuracy().keySet()).containsExactlyElementsOf(closedPerSubset.keySet());
        double weighted = 0;
        int closed = 0;
        for (Map.Entry<String, Integer> e : closedPerSubset.entrySet()) {
            weighted += s.subsetAccuracy().get(e.getKey()) * e.getValue();
            closed += e.getValue();
        }
        assertThat(weighted / closed).as(name).isCloseTo(s.accuracy(), within(1e-9));

        Path stage = out.resolve(name);
        assertThat(stage.resolve("run.json")).isRegularFile();
        assertThat(stage.resolve("metrics.jsonl")).isRegularFile();
        assertThat(stage.resolve("final/model.safetensors")).isRegularFile();
        assertThat(stage.resolve("final/tokenizer.json")).isRegularFile();
        assertThat(Predictions.read(stage.resolve("eval/predictions.jsonl"))).hasSize(testSize);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("[" + (i + 1) + "/5] " + name);
        failedStage = null;
    }

    @Test
    @Order(7)
    void trainedStagesLoggedOneMetricsLinePerStep() throws Exception {
        assumeAllStagesRan();
        assertThat(Files.readAllLines(out.resolve("sft/metrics.jsonl"))).hasSize(3);
        assertThat(Files.readAllLines(out.resolve("grpo/metrics.jsonl"))).hasSize(1);
        assertThat(Files.readString(out.resolve("grpo_process/run.json"))).contains("reward.weights.process=1.0");
    }

    @Test
    @Order(8)
    void thePipelineResumesEveryStageAndWritesResultsAndReport() throws Exception {
        assumeAllStagesRan();
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Pipeline.Result r = Demo.pipeline(out, settings, printer(again), false).run();
        String printed = again.toString(StandardCharsets.UTF_8);
        // the VLM stages were run one by one above; the slide stage (the sixth) and the CLIP stage run here
        for (int i = 0; i < NAMES.size(); i++) {
            assertThat(printed).contains("[" + (i + 1) + "/7] " + NAMES.get(i) + ": done earlier");
        }
        assertThat(printed).contains("[6/7] slides: 2 synthetic slides, grpo_process's model", "[7/7] clip",
                "results: ", "accuracy by question subset", "slides: slide-question accuracy");
        assertThat(r.stages()).isEqualTo(scores);

        JsonNode results = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertThat(results.get("stages")).hasSize(5);
        for (int i = 0; i < NAMES.size(); i++) {
            assertThat(results.get("stages").get(i).get("name").asText()).isEqualTo(NAMES.get(i));
        }
        String html = Files.readString(r.reportFile());
        assertThat(r.reportFile()).isEqualTo(out.resolve("report.html"));
        assertThat(html).contains(NAMES.toArray(String[]::new));
        assertThat(html).contains("plots/stages.png", "plots/sft-loss.png", "plots/grpo-reward.png", "CLIP stage",
                "Slide stage", "slides/thumbs/synth-slide-0000.png");
        assertThat(out.resolve("plots/stages.png")).isRegularFile();

        // the CLIP stage: results.json's clip object, its model in OpenCLIP's layout, its reports
        JsonNode clip = results.get("clip");
        for (String key : List.of("zero_shot_accuracy", "zero_shot_chance", "balanced_accuracy")) {
            assertThat(clip.get(key).asDouble()).as("clip " + key).isBetween(0.0, 1.0);
        }
        assertThat(clip.get("zero_shot_chance").asDouble()).isCloseTo(1.0 / 13, within(1e-12));
        for (String d : List.of("image_to_text", "text_to_image")) {
            for (String k : List.of("R@1", "R@5", "R@10")) {
                assertThat(clip.get("retrieval").get(d).get(k).asDouble()).as(d + " " + k).isBetween(0.0, 1.0);
            }
        }
        assertThat(out.resolve("clip/run/final/open_clip_model.safetensors")).isRegularFile();
        assertThat(out.resolve("clip/eval/zeroshot/report.html")).isRegularFile();
        assertThat(out.resolve("clip/eval/retrieval/metrics.json")).isRegularFile();
        assertThat(out.resolve("clip/eval/probe/metrics.json")).isRegularFile();

        // the slide stage: every slide question answered by the last stage's model through its K patches
        JsonNode slides = results.get("slides");
        assertThat(slides.get("model").asText()).isEqualTo("grpo_process");
        assertThat(slides.get("questions").asInt()).isEqualTo(4);
        assertThat(slides.get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(slides.get("chance").asDouble()).isCloseTo(0.25, within(1e-12));
        assertThat(slides.get("subset_accuracy").has("slide_diagnosis")).isTrue();
        assertThat(Predictions.read(out.resolve("slides/eval/predictions.jsonl"))).hasSize(4);
        for (Sample p : SampleJsonl.read(out.resolve("slides/eval/slide-prompts.jsonl"))) {
            assertThat(p.images()).hasSize(2);
        }
        java.awt.image.BufferedImage thumb = javax.imageio.ImageIO.read(out.resolve(
                slides.get("rows").get(0).get("thumbnail").asText()).toFile());
        assertThat(thumb.getWidth()).isEqualTo(480);
        // the patch outlines are drawn in pure-ish yellow, which the painted slide never shows
        int yellow = 0;
        for (int y = 0; y < thumb.getHeight(); y++) {
            for (int x = 0; x < thumb.getWidth(); x++) {
                if ((thumb.getRGB(x, y) & 0xFFFFFF) == 0xF0C800) {
                    yellow++;
                }
            }
        }
        assertThat(yellow).isGreaterThan(20);

        // a second run finds every stage, the CLIP one too, complete and trains nothing
        ByteArrayOutputStream third = new ByteArrayOutputStream();
        Demo.pipeline(out, settings, printer(third), false).run();
        assertThat(third.toString(StandardCharsets.UTF_8)).contains("[7/7] clip: done earlier",
                        "[6/7] slides: done earlier")
                .doesNotContain("trained in");
    }

    @Test
    @Order(9)
    void seedRunsAverageTheirStages() throws Exception {
        assumeAllStagesRan();
        // seed 0 is the run above (resumed, nothing trained), seed 1 is trained; the summary is their mean
        Path seedsOut = dir.resolve("seeds");
        copyTree(out, SeedRuns.seedDir(seedsOut, 0));
        ByteArrayOutputStream seedLog = new ByteArrayOutputStream();
        SeedRuns.Result sr = SeedRuns.run(seedsOut, List.of(0L, 1L), Demo.TITLE,
                (sd, d) -> Demo.pipeline(d, settings.withSeed(sd), printer(seedLog), false), printer(seedLog));
        assertThat(seedLog.toString(StandardCharsets.UTF_8)).contains("[3/7] sft: done earlier", "== seed 1 (2 of 2)");
        JsonNode summary = Json.MAPPER.readTree(seedsOut.resolve(SeedRuns.SUMMARY).toFile());
        assertThat(summary.get("stages")).hasSize(5);
        for (int i = 0; i < NAMES.size(); i++) {
            JsonNode st = summary.get("stages").get(i);
            double a0 = stageScores(seedsOut, 0, NAMES.get(i)).accuracy();
            double a1 = stageScores(seedsOut, 1, NAMES.get(i)).accuracy();
            assertThat(a0).isEqualTo(scores.get(i).accuracy());
            assertThat(st.get("name").asText()).isEqualTo(NAMES.get(i));
            assertThat(st.get("seeds").asInt()).isEqualTo(2);
            assertThat(st.get("accuracy_mean").asDouble()).isCloseTo((a0 + a1) / 2, within(1e-12));
            assertThat(st.get("accuracy_sd").asDouble()).isCloseTo(Math.abs(a0 - a1) / Math.sqrt(2), within(1e-12));
            assertThat(st.get("accuracy_min").asDouble()).isEqualTo(Math.min(a0, a1));
        }
        assertThat(Files.readString(sr.reportFile())).contains("seed-1/report.html", "grpo_process",
                "claims, tested", "McNemar p");
        claimsAgreeWithTheStagesFigures(seedsOut, summary, sr);
    }

    @Test
    @Order(10)
    void otherSettingsInTheSameFolderAreRefused() {
        Assumptions.assumeTrue(prepared, "the world was not prepared");
        assertThatThrownBy(() -> Demo.pipeline(out, settings.withSeed(7), printer(new ByteArrayOutputStream()),
                false).run()).isInstanceOf(IllegalStateException.class).hasMessageContaining("other settings");
    }

    @Test
    @Order(11)
    void evaluationsAndClipBesideTrainingGiveTheSameFigures() throws Exception {
        assumeAllStagesRan();
        // the same pipeline from scratch with two jobs: the evaluations and the CLIP stage run on a second thread
        // (the CLIP model training beside a VLM stage); every model and figure must match the run in turn
        Path twin = dir.resolve("two-jobs");
        ByteArrayOutputStream twinLog = new ByteArrayOutputStream();
        Pipeline.Result r = Demo.pipeline(twin, settings, printer(twinLog), false).withJobs(2).run();
        String printed = twinLog.toString(StandardCharsets.UTF_8);
        for (int i = 0; i < NAMES.size(); i++) {
            String name = NAMES.get(i);
            assertThat(printed).contains("[" + (i + 1) + "/7] " + name + ": test accuracy");
            assertThat(r.stages().get(i).withTimes(0, 0)).as(name).isEqualTo(scores.get(i).withTimes(0, 0));
            assertThat(Files.readAllBytes(twin.resolve(name).resolve("final/model.safetensors"))).as(name)
                    .isEqualTo(Files.readAllBytes(out.resolve(name).resolve("final/model.safetensors")));
            assertThat(Files.readString(twin.resolve(name).resolve("eval/predictions.jsonl"))).as(name)
                    .isEqualTo(Files.readString(out.resolve(name).resolve("eval/predictions.jsonl")));
        }
        assertThat(Files.readAllBytes(twin.resolve("clip/run/final/open_clip_model.safetensors")))
                .isEqualTo(Files.readAllBytes(out.resolve("clip/run/final/open_clip_model.safetensors")));
        JsonNode one = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        JsonNode two = Json.MAPPER.readTree(twin.resolve("results.json").toFile());
        for (String part : List.of("clip", "slides")) {
            com.fasterxml.jackson.databind.node.ObjectNode a = one.get(part).deepCopy();
            com.fasterxml.jackson.databind.node.ObjectNode b = two.get(part).deepCopy();
            a.remove(List.of("train_seconds", "eval_seconds", "seconds"));
            b.remove(List.of("train_seconds", "eval_seconds", "seconds"));
            assertThat(b).as(part).isEqualTo(a);
        }
        assertThat(two.get("claims")).isEqualTo(one.get("claims"));
    }

    private void assumeAllStagesRan() {
        Assumptions.assumeTrue(scores.size() == NAMES.size(), () -> "not every stage ran (failed: " + failedStage
                + ")");
    }

    private Map<String, Integer> closedPerSubset() {
        Map<String, Integer> closed = new TreeMap<>();
        for (Sample t : SampleJsonl.read(workspace.testFile())) {
            if (Task.MCQ.equals(t.task()) || Task.YESNO.equals(t.task())) {
                closed.merge(t.subset(), 1, Integer::sum);
            }
        }
        return closed;
    }

    private static PrintStream printer(ByteArrayOutputStream sink) {
        return new PrintStream(sink, true, StandardCharsets.UTF_8);
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

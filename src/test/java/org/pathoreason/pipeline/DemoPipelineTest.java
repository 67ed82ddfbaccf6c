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
        // the CLIP stage: results.json's clip object, its model in OpenCLIP's layout, its reports
        JsonNode clip = results.get("clip");
        for (String key : List.of("zero_shot_accuracy", "zero_shot_chance", "balanced_accuracy")) {
            assertThat(clip.get(key).asDouble()).as("clip " + key).isBetween(0.0, 1.0);
        }
        assertThat(clip.get("zero_shot_chance").asDouble()).isCloseTo(1.0 / 13, within(1e-12));
        for (String dir : List.of("image_to_text", "text_to_image")) {
            for (String k : List.of("R@1", "R@5", "R@10")) {
                assertThat(clip.get("retrieval").get(dir).get(k).asDouble()).as(dir + " " + k).isBetween(0.0, 1.0);
            }
        }
        assertThat(out.resolve("clip/run/final/open_clip_model.safetensors")).isRegularFile();
        assertThat(out.resolve("clip/eval/zeroshot/report.html")).isRegularFile();
        assertThat(out.resolve("clip/eval/retrieval/metrics.json")).isRegularFile();
        assertThat(out.resolve("clip/eval/probe/metrics.json")).isRegularFile();

        // trained stages logged one metrics line per step
        assertThat(Files.readAllLines(out.resolve("sft/metrics.jsonl"))).hasSize(3);
        assertThat(Files.readAllLines(out.resolve("grpo/metrics.jsonl"))).hasSize(1);
        assertThat(Files.readString(out.resolve("grpo_process/run.json"))).contains("reward.weights.process=1.0");

        String html = Files.readString(r.reportFile());
        assertThat(r.reportFile()).isEqualTo(out.resolve("report.html"));
        for (String n : names) {
            assertThat(html).contains(n);
        }
        assertThat(html).contains("plots/stages.png", "plots/sft-loss.png", "plots/grpo-reward.png", "CLIP stage");
        assertThat(out.resolve("plots/stages.png")).isRegularFile();
        String printed = log.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("[1/6] base", "[5/6] grpo_process", "[6/6] clip", "results: ", "accuracy by question subset");

        // a second run finds every stage complete and trains nothing
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Pipeline.Result r2 = Demo.pipeline(out, settings, new PrintStream(again, true, StandardCharsets.UTF_8),
                false).run();
        assertThat(again.toString(StandardCharsets.UTF_8)).contains("[3/6] sft: done earlier", "[6/6] clip: done earlier").doesNotContain(
                "trained in");
        assertThat(r2.stages()).isEqualTo(r.stages());

        // over seeds: seed 0 is the run above (resumed, nothing trained), seed 1 is trained; the summary is their mean
        Path seedsOut = dir.resolve("seeds");
        copyTree(out, SeedRuns.seedDir(seedsOut, 0));
        ByteArrayOutputStream seedLog = new ByteArrayOutputStream();
        SeedRuns.Result sr = SeedRuns.run(seedsOut, List.of(0L, 1L), Demo.TITLE,
                (sd, d) -> Demo.pipeline(d, settings.withSeed(sd), new PrintStream(seedLog, true,
                        StandardCharsets.UTF_8), false), new PrintStream(seedLog, true, StandardCharsets.UTF_8));
        assertThat(seedLog.toString(StandardCharsets.UTF_8)).contains("[3/6] sft: done earlier", "== seed 1 (2 of 2)");
        assertThat(sr.runs().get(0).stages()).isEqualTo(r.stages());
        JsonNode summary = Json.MAPPER.readTree(seedsOut.resolve(SeedRuns.SUMMARY).toFile());
        assertThat(summary.get("stages")).hasSize(5);
        for (int i = 0; i < names.size(); i++) {
            JsonNode st = summary.get("stages").get(i);
            double a0 = sr.runs().get(0).stages().get(i).accuracy();
            double a1 = sr.runs().get(1).stages().get(i).accuracy();
            assertThat(st.get("name").asText()).isEqualTo(names.get(i));
            assertThat(st.get("seeds").asInt()).isEqualTo(2);
            assertThat(st.get("accuracy_mean").asDouble()).isCloseTo((a0 + a1) / 2, within(1e-12));
            assertThat(st.get("accuracy_sd").asDouble()).isCloseTo(Math.abs(a0 - a1) / Math.sqrt(2), within(1e-12));
            assertThat(st.get("accuracy_min").asDouble()).isEqualTo(Math.min(a0, a1));
        }
        assertThat(Files.readString(sr.reportFile())).contains("seed-1/report.html", "grpo_process");

        // other settings in the same folder are refused
        assertThatThrownBy(() -> Demo.pipeline(out, settings.withSeed(7), new PrintStream(new ByteArrayOutputStream(),
                true, StandardCharsets.UTF_8), false).run()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("other settings");
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

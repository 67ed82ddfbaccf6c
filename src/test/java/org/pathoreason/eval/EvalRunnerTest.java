package org.pathoreason.eval;

import org.pathoreason.data.Task;

import org.pathoreason.model.CheckpointBundle;

import org.pathoreason.data.PromptEncoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.Prompt;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.data.PromptBuilder;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.SystemPrompts;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.util.Json;

class EvalRunnerTest {

    @TempDir
    static Path root;

    static TinyEvalFixture fixture;
    static NDManager manager;
    static CheckpointBundle checkpoint;
    static Path imageBase;
    static int threads;

    /** PathMMU extraction with its seeded random fallback: random completions still get some answers right. */
    static final EvalOptions OPTIONS = EvalOptions.DEFAULTS
            .withMaxNewTokens(10)
            .withBatchSize(3)
            .withProgress(false)
            .withExamples(4)
            .withScoring(ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.PATHMMU).withRandomFallback(true));

    @BeforeAll
    static void setUp() throws IOException {
        // The tiny model's tensors gain nothing from threads; on a loaded machine their waiting costs ~50x.
        Engines.start();
        threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        fixture = TinyEvalFixture.create(root);
        manager = Engines.newManager();
        checkpoint = CheckpointBundle.open(fixture.checkpoint, manager);
        imageBase = fixture.data.getParent();
    }

    @AfterAll
    static void tearDown() {
        checkpoint.close();
        manager.close();
        JniUtils.setNumThreads(threads);
    }

    private static EvalRunner runner(EvalOptions options) {
        return new EvalRunner(checkpoint, options.withModelName(checkpoint.name()));
    }

    private static EvalResult run(Path out) {
        return runner(OPTIONS.withOutDir(out)).run(fixture.samples, imageBase);
    }

    @Test
    void evaluatesEndToEndAndWritesPredictionsMetricsAndReport() throws IOException {
        Path out = root.resolve("full");
        EvalResult result = run(out);
        org.pathoreason.eval.report.EvalReport.write(result, 8);

        List<Prediction> written = Predictions.read(out.resolve("predictions.jsonl"));
        assertThat(written).extracting(Prediction::id)
                .containsExactlyElementsOf(fixture.samples.stream().map(Sample::id).toList());
        assertThat(written).isEqualTo(result.predictions());
        // The random model answers each prompt differently, so the comparisons in these tests mean something.
        assertThat(written.stream().map(Prediction::prediction).distinct().count()).isGreaterThanOrEqualTo(5);
        for (Prediction p : written) {
            assertThat(p.outputTokens()).isBetween(0, 10);
        }

        JsonNode metrics = Json.MAPPER.readTree(out.resolve("metrics.json").toFile());
        assertThat(metrics.get("n").asInt()).isEqualTo(7);
        assertThat(metrics.has("accuracy")).isTrue();
        assertThat(metrics.has("extraction_misses")).isTrue();
        assertThat(metrics.has("bleu_1")).isTrue();
        assertThat(metrics.has("bleu_4")).isTrue();
        assertThat(metrics.has("rouge_l")).isTrue();
        double meanTokens = written.stream().mapToInt(Prediction::outputTokens).average().orElseThrow();
        assertThat(metrics.get("mean_output_tokens").asDouble()).isCloseTo(meanTokens, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(metrics.get("subsets").has("diagnosis")).isTrue();
        assertThat(metrics.get("subsets").get("diagnosis").get("n").asInt()).isEqualTo(3);
        assertThat(metrics.has("unmatched")).isFalse();

        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("plots/subset-accuracy.png").contains("plots/lengths.png")
                .contains("dx-1").contains("greedy, at most 10 new tokens");
        assertThat(out.resolve("plots/subset-accuracy.png")).isNotEmptyFile();
        assertThat(out.resolve("plots/lengths.png")).isNotEmptyFile();
        assertThat(out.resolve("examples/0.png")).isNotEmptyFile();

        EvalRunInfo info = EvalRunInfo.read(out.resolve("eval.json"));
        assertThat(info.status()).isEqualTo(EvalRunInfo.DONE);
        assertThat(info.samples()).isEqualTo(7);
        assertThat(info.generated()).isEqualTo(7);
        assertThat(info.resumed()).isZero();
        assertThat(info.generatedTokens()).isEqualTo(written.stream().mapToLong(Prediction::outputTokens).sum());
        assertThat(info.generation().style()).isEqualTo("cot");
        assertThat(info.generation().maxPixels()).isEqualTo(TinyEvalFixture.MAX_PIXELS);

        // The same predictions scored again from the file alone give the same report.
        ScoreResult again = new Scorer(OPTIONS.scoring()).score(fixture.samples, written);
        assertThat(again.report().toJson()).isEqualTo(result.report().toJson());
    }

    @Test
    void resumesFromAPartialPredictionsFileWithATornLastLine() throws IOException {
        Path full = root.resolve("uninterrupted");
        EvalResult uninterrupted = run(full);
        List<String> lines = Files.readAllLines(full.resolve("predictions.jsonl"));

        // A run killed while writing its 5th line: 4 whole lines, half of the 5th, and its eval.json (running).
        Path partial = root.resolve("killed");
        Files.createDirectories(partial);
        String torn = lines.get(4).substring(0, lines.get(4).length() / 2);
        Files.writeString(partial.resolve("predictions.jsonl"),
                String.join("\n", lines.subList(0, 4)) + "\n" + torn, StandardCharsets.UTF_8);
        Files.copy(full.resolve("eval.json"), partial.resolve("eval.json"));

        EvalResult resumed = run(partial);
        assertThat(resumed.info().resumed()).isEqualTo(4);
        assertThat(resumed.info().generated()).isEqualTo(3);
        assertThat(Files.readAllLines(partial.resolve("predictions.jsonl"))).isEqualTo(lines);
        assertThat(resumed.report().toJson()).isEqualTo(uninterrupted.report().toJson());

        // Once complete, running again generates nothing and keeps the file.
        EvalResult again = run(partial);
        assertThat(again.info().generated()).isZero();
        assertThat(Files.readAllLines(partial.resolve("predictions.jsonl"))).isEqualTo(lines);
    }

    @Test
    void keptPredictionsAreNotGeneratedAgain() throws IOException {
        Path out = root.resolve("kept");
        Files.createDirectories(out);
        Predictions.write(out.resolve("predictions.jsonl"), List.of(
                new Prediction("dx-2", "<think>kept</think><answer>D</answer>", 3),
                new Prediction("elsewhere-9", "<answer>A</answer>", 1)));
        EvalResult r = runner(OPTIONS.withOutDir(out).withScoring(ScoreOptions.DEFAULTS)).run(fixture.samples,
                imageBase);
        assertThat(r.info().resumed()).isEqualTo(1);
        List<Prediction> file = Predictions.read(out.resolve("predictions.jsonl"));
        // Sample order, the kept prediction untouched, a prediction for another sample kept at the end.
        assertThat(file).extracting(Prediction::id).containsExactly("dx-1", "dx-2", "cell-1", "yn-1", "open-1",
                "dx-3", "text-1", "elsewhere-9");
        assertThat(file.get(1).prediction()).isEqualTo("<think>kept</think><answer>D</answer>");
        ScoredItem dx2 = r.score().items().get(1);
        assertThat(dx2.correct()).isTrue();
        assertThat(r.report().unmatched()).isNull();
    }

    @Test
    void refusesToMixPredictionsMadeWithAnotherStyleUnlessFresh() {
        Path out = root.resolve("style");
        EvalOptions cot = OPTIONS.withOutDir(out).withLimit(2);
        runner(cot).run(fixture.samples, imageBase);
        EvalOptions cod = cot.withStyle(PromptStyle.COD).withLimit(3);
        assertThatThrownBy(() -> runner(cod).run(fixture.samples, imageBase))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("style: cot -> cod")
                .hasMessageContaining("--fresh");
        EvalResult fresh = runner(cod.withFresh(true)).run(fixture.samples, imageBase);
        assertThat(fresh.info().generated()).isEqualTo(3);
        assertThat(fresh.info().generation().style()).isEqualTo("cod");
    }

    @Test
    void batchSizeDoesNotChangeGreedyCompletions() {
        EvalResult one = runner(OPTIONS.withBatchSize(1)).run(fixture.samples, imageBase);
        EvalResult seven = runner(OPTIONS.withBatchSize(7)).run(fixture.samples, imageBase);
        assertThat(seven.predictions()).isEqualTo(one.predictions());
        assertThat(one.outDir()).isNull();
    }

    @Test
    void inMemoryEvaluationReturnsTheScores() {
        ScoreReport report = runner(OPTIONS.withLimit(3)).run(fixture.samples, imageBase).report();
        assertThat(report.overall().n()).isEqualTo(3);
        assertThat(report.subsets().keySet()).containsExactly("cells", "diagnosis");
    }

    @Test
    void promptsAreRenderedAsInTrainingWithImagePadRunsSizedByTheProcessor() {
        PromptEncoder encoder = PromptEncoder.of(checkpoint, PromptStyle.COT, imageBase);
        Sample dx2 = fixture.samples.get(1); // 96x64 image -> 56x84 -> grid 4x6 patches -> 6 vision tokens
        Prompt p = encoder.encode(dx2);
        assertThat(p.imageGrids()).hasSize(1);
        assertThat(p.imageGrids().get(0)).containsExactly(1, 4, 6);
        assertThat(p.pixelPatches()).hasSize(24 * 1176);
        String expected = "<|im_start|>system\n" + SystemPrompts.PATHO_R1_COT + "<|im_end|>\n<|im_start|>user\n"
                + "<|vision_start|>" + "<|image_pad|>".repeat(6) + "<|vision_end|>"
                + new PromptBuilder(PromptStyle.COT).userText(dx2) + "<|im_end|>\n<|im_start|>assistant\n";
        assertThat(checkpoint.tokenizer().decode(p.tokenIds(), false)).isEqualTo(expected);
        assertThat(p.tokenIds()).containsExactly(checkpoint.tokenizer().encode(expected));
        assertThat(expected).contains("What is the most likely diagnosis?\nA. Acute inflammation\nB. Chronic");
    }

    @Test
    void aMissingImageFailsBeforeGenerationNamingTheSample() {
        List<Sample> samples = new ArrayList<>(fixture.samples.subList(0, 2));
        samples.add(new Sample("lost-1", List.of("images/none.png"), "Which?", List.of("x", "y"), "A", null, null,
                null, null, Task.MCQ, "cells", Map.of()));
        Path out = root.resolve("missing");
        assertThatThrownBy(() -> runner(OPTIONS.withOutDir(out)).run(samples, imageBase))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("lost-1")
                .hasMessageContaining("none.png");
        assertThat(out.resolve("predictions.jsonl")).doesNotExist();
    }

    @Test
    void duplicateSampleIdsAreRefused() {
        List<Sample> samples = List.of(fixture.samples.get(0), fixture.samples.get(0));
        assertThatThrownBy(() -> runner(OPTIONS).run(samples, imageBase))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("two samples have the id 'dx-1'");
    }
}

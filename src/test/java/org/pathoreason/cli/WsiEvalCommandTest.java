package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.eval.Prediction;
import org.pathoreason.eval.Predictions;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.Scorer;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.util.Json;
import org.pathoreason.wsi.SyntheticSlideSet;
import org.pathoreason.wsi.SyntheticSlides;
import org.pathoreason.wsi.TileSelector;
import picocli.CommandLine;

/** {@code wsi eval} on the committed WSI-VQA and SlideBench fixtures, end to end with a tiny model. */
class WsiEvalCommandTest {

    static final Path FIXTURES = Path.of("src/test/resources/wsi/benchmarks");
    static final Path OPENCLIP = Path.of("src/test/resources/org/pathoreason/model/clip/openclip");

    @TempDir
    static Path shared;
    static Path slides;
    static Path checkpoint;

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeAll
    static void slidesAndModel() throws Exception {
        SyntheticSlideSet.write(SynthWorld.builtIn(), shared.resolve("syn"), new SyntheticSlideSet.Options(2, 0,
                new SyntheticSlides.Options(1024, 1024, 2, 1), 2, 112, TileSelector.Rule.TISSUE_DIVERSE, List.of()),
                null);
        slides = shared.resolve("syn/slides");
        Files.copy(Path.of(WsiCommandTest.slide("CMU-1-Small-Region.svs")), slides.resolve("CMU-1-Small-Region.svs"));
        checkpoint = tinyCheckpoint(shared);
    }

    /** An untrained tiny model with a small BPE tokenizer. */
    static Path tinyCheckpoint(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        Random r = new Random(1);
        String[] words = {"the", "tissue", "shows", "answer", "think", "skin", "fibrin", "is", "a", "of", "abscess"};
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 8; k++) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            lines.add(sb.toString().trim());
        }
        Files.write(dir.resolve("corpus.txt"), lines);
        Path tok = dir.resolve("tokenizer.json");
        new org.pathoreason.text.BpeTokenizerTrainer(org.pathoreason.text.BpeTokenizerTrainer.Options.defaults()
                .withVocabSize(300)).train(dir.resolve("corpus.txt")).write(tok);
        Path ckpt = dir.resolve("tiny");
        assertThat(new CommandLine(new ModelCommand()).execute("init", "--config", "tiny", "--tokenizer",
                tok.toString(), "--out", ckpt.toString())).isZero();
        return ckpt;
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new WsiCommand());
        cli.setExecutionExceptionHandler(new CliErrors());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private String[] args(String benchmark, Path questions, Path outDir, String... more) {
        List<String> a = new ArrayList<>(List.of("eval", "--benchmark", benchmark, "--questions",
                questions.toString(), "--slides", slides.toString(), "--checkpoint", checkpoint.toString(), "--k", "2",
                "--preset", "biopsy", "--min-area", "0.1", "--patch-size", "112", "--max-new-tokens", "4",
                "--extract", "lenient", "--out", outDir.toString(), "--no-progress"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void wsiVqaClosedAndOpenQuestionsAreScoredAndResumed() throws Exception {
        Path o = dir.resolve("wsivqa");
        assertThat(run(args("wsi-vqa", FIXTURES.resolve("WsiVQA_test.json"), o))).as(err.toString()).isZero();
        // the closed record whose answer is none of its choices is read as an open question (data.readers' rule)
        assertThat(out.toString()).contains("wsi-vqa: 7 questions").contains("(4 closed, 3 open)")
                .contains("evaluated 7 questions (0 resumed, 7 generated)");
        List<Sample> prompts = SampleJsonl.read(o.resolve("slide-prompts.jsonl"));
        assertThat(prompts).hasSize(7);
        for (Sample p : prompts) {
            assertThat(p.images()).hasSize(2);
            for (String img : p.images()) {
                assertThat(javax.imageio.ImageIO.read(o.resolve(img).toFile()).getWidth()).isEqualTo(112);
            }
            assertThat(p.meta().get("tile_rule")).isEqualTo("tissue-diverse");
        }
        // the TCGA-style case id CMU-1 found CMU-1-Small-Region.svs
        assertThat(prompts.get(5).meta().get("slide_file").toString()).endsWith("CMU-1-Small-Region.svs");
        // metrics.json is what scoring the predictions again gives
        List<Prediction> preds = Predictions.read(o.resolve("predictions.jsonl"));
        assertThat(preds).hasSize(7);
        JsonNode metrics = Json.MAPPER.readTree(o.resolve("metrics.json").toFile());
        var again = new Scorer(ScoreOptions.DEFAULTS.withExtraction(ExtractionMode.LENIENT)).score(prompts, preds);
        assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(again.report()))).isEqualTo(metrics);
        assertThat(metrics.toString()).contains("\"mcq\"").contains("\"open\"");
        assertThat(Files.isRegularFile(o.resolve("report.html"))).isTrue();

        out.getBuffer().setLength(0);
        assertThat(run(args("wsi-vqa", FIXTURES.resolve("WsiVQA_test.json"), o))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("evaluated 7 questions (7 resumed, 0 generated)");
        // other patch settings do not silently reuse the prompts
        assertThat(run(args("wsi-vqa", FIXTURES.resolve("WsiVQA_test.json"), o, "--rule", "spread"))).isEqualTo(1);
        assertThat(err.toString()).contains("chosen by tissue-diverse with K 2, not spread");
    }

    @Test
    void slideBenchWithClipRankedPatches() throws Exception {
        Path o = dir.resolve("slidebench");
        assertThat(run(args("slidebench", FIXTURES.resolve("SlideBench-VQA (TCGA).csv"), o, "--clip",
                OPENCLIP.toString(), "--clip-diversity", "0"))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("slidebench: 5 questions").contains("(5 closed, 0 open)")
                .contains("2 patches each (clip)");
        List<Sample> prompts = SampleJsonl.read(o.resolve("slide-prompts.jsonl"));
        assertThat(prompts).extracting(Sample::subset).containsExactly("Diagnosis", "Microscopy", "Diagnosis",
                "Microscopy", "Microscopy");
        assertThat(prompts).extracting(Sample::answer).containsExactly("A", "D", "B", "C", "A");
        JsonNode metrics = Json.MAPPER.readTree(o.resolve("metrics.json").toFile());
        assertThat(metrics.toString()).contains("Diagnosis").contains("Microscopy");
    }

    @Test
    void aMissingSlideIsNamedWithItsQuestion() throws Exception {
        Path q = dir.resolve("WsiVQA_missing.json");
        Files.writeString(q, "[{\"Id\": \"TCGA-LD-A74U\", \"Question\": \"what is the diagnosis?\", \"Answer\": "
                + "\"invasive lobular carcinoma\"}]");
        assertThat(run(args("wsi-vqa", q, dir.resolve("m")))).isEqualTo(1);
        assertThat(err.toString()).contains("question TCGA-LD-A74U/0: no slide file for 'TCGA-LD-A74U' under")
                .contains("3 slide files there");
        err.getBuffer().setLength(0);
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "Slide,Question,A,B\nx,y,z,w\n");
        assertThat(run(args("slidebench", csv, dir.resolve("b")))).isEqualTo(1);
        assertThat(err.toString()).contains("bad.csv").contains("ID");
    }
}

package org.pathoreason.eval.report;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.eval.ConfusionMatrix;
import org.pathoreason.eval.Prediction;
import org.pathoreason.eval.QuestionOutcome;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.ScoreResult;
import org.pathoreason.eval.Scorer;
import org.pathoreason.util.TestResources;

class ReportsTest {

    static final Path TILES = TestResources.fixture("tiles");

    @TempDir
    Path tmp;

    static List<String> dx = List.of("Adenocarcinoma", "Squamous cell carcinoma", "Small cell carcinoma");

    static ScoreResult scored() {
        List<Sample> samples = new ArrayList<>();
        List<Prediction> preds = new ArrayList<>();
        String[] answers = {"A", "B", "C", "A", "B", "C", "A", "B"};
        String[] said = {"A", "B", "A", "A", "C", "C", "B", "x"};
        for (int i = 0; i < answers.length; i++) {
            String image = i % 2 == 0 ? "histolab-tissue-level0-4302-10273-4814-10785.png" : "crc-adi-224.tif";
            samples.add(new Sample("s" + i, List.of(image), "Which carcinoma <is> this?", dx, answers[i],
                    dx.get(Sample.letterIndex(answers[i])), null, null, null, Task.MCQ,
                    i < 4 ? "diagnosis" : "diagnosis-hard", Map.of()));
            preds.add(new Prediction("s" + i, "<observe>glands & nests</observe><think>keratin? <b>no</b></think>"
                    + "<answer>" + said[i] + "</answer>", 40 + 17 * i));
        }
        samples.add(new Sample("o1", List.of(), "Describe the tissue.", List.of(), "Adipose tissue with thin septa",
                null, null, null, null, Task.OPEN, "open", Map.of()));
        preds.add(new Prediction("o1", "<answer>adipose tissue</answer>", 12));
        return new Scorer(ScoreOptions.DEFAULTS).score(samples, preds);
    }

    @Test
    void evalReportWritesMetricsHtmlPlotsAndExampleThumbnails() throws IOException {
        Path out = tmp.resolve("eval");
        Path html = EvalReport.write(out, scored(), new EvalReport.Options("Synthetic test split", 4, TILES,
                Map.of("model", "runs/tiny/final")));
        assertThat(out.resolve("metrics.json")).exists();
        String page = Files.readString(html);
        assertThat(page).contains("<h1>Synthetic test split</h1>", "runs/tiny/final", "diagnosis-hard",
                "plots/subset-accuracy.png", "plots/confusion.png", "plots/lengths.png", "examples/0.png");
        // user text is escaped, reasoning blocks are shown
        assertThat(page).contains("Which carcinoma &lt;is&gt; this?", "glands &amp; nests", "&lt;b&gt;no&lt;/b&gt;",
                "class=\"blk think\"");
        assertThat(page).doesNotContain("<b>no</b>");
        for (String png : List.of("plots/subset-accuracy.png", "plots/confusion.png", "plots/lengths.png",
                "examples/0.png", "examples/1.png")) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertThat(img).as(png).isNotNull();
            assertThat(img.getWidth()).as(png).isGreaterThan(50);
        }
        // thumbnails keep the long side at most 384 pixels
        BufferedImage thumb = ImageIO.read(out.resolve("examples/0.png").toFile());
        assertThat(Math.max(thumb.getWidth(), thumb.getHeight())).isLessThanOrEqualTo(384);
        // four examples: the wrong ones come first
        assertThat(page.indexOf("class=\"example wrong\"")).isLessThan(page.indexOf("class=\"example right\""));
    }

    @Test
    void plotsDrawChartsThatDifferWithTheirData() throws IOException {
        Path a = tmp.resolve("a.png");
        Path b = tmp.resolve("b.png");
        Plots.bar(a, "Accuracy", "accuracy (%)", Map.of("PubMed", 61.2, "Atlas", 48.0));
        Plots.bar(b, "Accuracy", "accuracy (%)", Map.of("PubMed", 20.0, "Atlas", 90.0));
        assertThat(Files.readAllBytes(a)).isNotEqualTo(Files.readAllBytes(b));
        ConfusionMatrix m = new ConfusionMatrix();
        m.add("Adenocarcinoma", "Adenocarcinoma");
        m.add("Adenocarcinoma", null);
        m.add("Squamous cell carcinoma", "Adenocarcinoma");
        Plots.confusion(tmp.resolve("cm.png"), "Confusion", m);
        Plots.histogram(tmp.resolve("h.png"), "Lengths", "tokens", new double[] {10, 12, 50, 51, 52, 200}, 8);
        assertThat(ImageIO.read(tmp.resolve("cm.png").toFile())).isNotNull();
        assertThat(ImageIO.read(tmp.resolve("h.png").toFile())).isNotNull();
        assertThatThrownBy(() -> Plots.groupedBar(tmp.resolve("x.png"), "t", "y", List.of("a", "b"),
                Map.of("run", List.of(1.0)))).hasMessageContaining("has 1 values for 2 categories");
    }

    @Test
    void trainingCurvesFromMetricsJsonl() throws IOException {
        Path jsonl = tmp.resolve("metrics.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int step = 1; step <= 40; step++) {
            sb.append(String.format(java.util.Locale.ROOT, "{\"step\": %d, \"loss\": %.4f, \"reward\": %.3f, "
                    + "\"phase\": \"rl\"}%n", step, 2.0 / Math.sqrt(step), 0.2 + 0.015 * step));
        }
        Files.writeString(jsonl, sb);
        List<Path> pngs = Plots.trainingCurves(jsonl, tmp.resolve("plots"), List.of());
        assertThat(pngs).extracting(p -> p.getFileName().toString()).containsExactly("loss.png", "reward.png");
        assertThat(ImageIO.read(pngs.get(0).toFile()).getWidth()).isEqualTo(900);
        Files.writeString(jsonl, "{\"step\": 1, \"loss\": 1}\n{\"loss\": 2}\n");
        assertThatThrownBy(() -> Plots.trainingCurves(jsonl, tmp, List.of()))
                .isInstanceOf(DataException.class).hasMessageContaining("metrics.jsonl:2: missing numeric 'step'");
    }

    @Test
    void runComparisonTablesEveryRunAndBoldsTheBest() throws IOException {
        Path a = tmp.resolve("runs/sft");
        Path b = tmp.resolve("runs/grpo");
        EvalReport.write(a, scored(), new EvalReport.Options("sft", 0, null, Map.of()));
        Files.createDirectories(b.resolve("eval"));
        Files.writeString(b.resolve("eval/metrics.json"), "{\"n\": 9, \"accuracy\": 0.75, \"extraction_misses\": 0,"
                + " \"subsets\": {\"diagnosis\": {\"n\": 4, \"accuracy\": 1.0}}}");
        List<RunComparison.Run> runs = RunComparison.load(List.of(a, b));
        assertThat(runs).extracting(RunComparison.Run::name).containsExactly("sft", "grpo");
        Path html = RunComparison.write(runs, tmp.resolve("compare.html"), "SFT vs GRPO");
        String page = Files.readString(html);
        assertThat(page).contains("<td>sft</td>", "<td>grpo</td>", "<b>75.00</b>", "<b>0</b>",
                "diagnosis acc (%)", "plots/runs-subset-accuracy.png");
        assertThat(tmp.resolve("plots/runs-subset-accuracy.png")).exists();
        assertThatThrownBy(() -> RunComparison.load(List.of(tmp.resolve("runs"))))
                .hasMessageContaining("no metrics.json or eval/metrics.json");
        // EvalReport wrote each question's outcome beside metrics.json; the other run has none: no paired section
        List<QuestionOutcome> outcomes = QuestionOutcome.read(a.resolve(QuestionOutcome.FILE));
        assertThat(outcomes).hasSize(scored().items().size());
        assertThat(outcomes.stream().filter(QuestionOutcome::rightAnswer).count())
                .isEqualTo(scored().items().stream().filter(it -> Boolean.TRUE.equals(it.correct())).count());
        assertThat(RunComparison.paired(runs)).isEmpty();
        assertThat(page).doesNotContain("Paired against");
    }

    @Test
    void runsWithPerQuestionOutcomesArePairedAgainstTheFirst() throws IOException {
        Path a = tmp.resolve("pair/sft");
        Path b = tmp.resolve("pair/grpo");
        List<QuestionOutcome> qa = new ArrayList<>();
        List<QuestionOutcome> qb = new ArrayList<>();
        // 12 closed questions: sft right on 0-5, grpo right on 0-3 and 6-11; one open question each; grpo has an
        // extra question sft never saw (not paired)
        for (int i = 0; i < 12; i++) {
            qa.add(new QuestionOutcome("q" + i, "diagnosis", i < 6, true, 0.25, 40));
            qb.add(new QuestionOutcome("q" + i, "diagnosis", i < 4 || i >= 6, true, 0.25, 30));
        }
        qa.add(new QuestionOutcome("open", "describe", null, true, null, 50));
        qb.add(new QuestionOutcome("extra", "diagnosis", true, true, 0.25, 30));
        for (Path run : List.of(a, b)) {
            Files.createDirectories(run);
            Files.writeString(run.resolve("metrics.json"), "{\"n\": 13, \"accuracy\": 0.5}");
        }
        QuestionOutcome.write(a.resolve(QuestionOutcome.FILE), qa);
        QuestionOutcome.write(b.resolve(QuestionOutcome.FILE), qb);
        List<RunComparison.Run> runs = RunComparison.load(List.of(a, b));
        List<RunComparison.Paired> paired = RunComparison.paired(runs);
        assertThat(paired).hasSize(1);
        RunComparison.Paired p = paired.get(0);
        assertThat(p.n()).isEqualTo(12);
        assertThat(p.firstAccuracy()).isEqualTo(0.5);
        assertThat(p.runAccuracy()).isEqualTo(10 / 12.0);
        assertThat(p.onlyFirst()).isEqualTo(2);
        assertThat(p.onlyRun()).isEqualTo(6);
        assertThat(p.difference().estimate()).isCloseTo(4 / 12.0, org.assertj.core.api.Assertions.within(1e-12));
        // McNemar exact, b=2, c=6: 2 * (1 + 8 + 28) / 256
        assertThat(p.mcnemarP()).isCloseTo(74.0 / 256, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(RunComparison.pairedTable(paired)).contains("grpo - sft: accuracy +0.333", "McNemar 2/6");
        String page = Files.readString(RunComparison.write(runs, tmp.resolve("pair.html"), "paired"));
        assertThat(page).contains("Paired against sft", "McNemar p", "2 / 6");
    }
}

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
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.util.Json;
import org.pathoreason.util.TestResources;
import picocli.CommandLine;

class EvalCommandsTest {

    static final Path DATA = Path.of("src/test/resources/datasets");

    @TempDir
    Path tmp;

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
    void scoreReadsUntaggedOpenAnswersWithoutFlagsAndSaysSo() throws IOException {
        // one-reference cases of the pycocoevalcap vectors (src/test/resources/vectors/caption-metrics.json)
        Path data = tmp.resolve("open.jsonl");
        Files.writeString(data, String.join("\n",
                "{\"id\": \"a\", \"question\": \"Type?\", \"answer\": \"invasive lobular carcinoma\", \"task\": \"open\"}",
                "{\"id\": \"b\", \"question\": \"Stain?\", \"answer\": \"negative\", \"task\": \"open\"}", ""));
        Path preds = tmp.resolve("preds.jsonl");
        Files.writeString(preds, String.join("\n",
                "{\"id\": \"a\", \"prediction\": \"<think>discohesive cells in files</think> invasive lobular carcinoma\"}",
                "{\"id\": \"b\", \"prediction\": \"negative\"}", ""));
        Path json = tmp.resolve("scores.json");
        Run r = run(new ScoreCommand(), "--pred", preds.toString(), "--data", data.toString(), "--json",
                json.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("no <answer> tag: 2 of 2 predictions (2 open scored on their whole text");
        JsonNode j = Json.MAPPER.readTree(json.toFile());
        assertThat(j.get("no_answer_tag").asInt()).isEqualTo(2);
        JsonNode v = Json.MAPPER.readTree(TestResources.fixture("vectors/caption-metrics.json").toFile())
                .get("cases");
        // pooled over the two items: pycocoevalcap's per-item scores of the two cases, ROUGE-L their mean
        assertThat(j.get("rouge_l").asDouble()).isEqualTo(1.0);
        assertThat(j.get("rouge_l").asDouble()).isEqualTo((v.get("exact_match_short").get("rouge_l_mean").asDouble()
                + v.get("one_word_match").get("rouge_l_mean").asDouble()) / 2);
        // corpus BLEU-1: 4 of 4 words match, 4 test words against 4 reference words
        assertThat(j.get("bleu_1").asDouble()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(j.get("exact_match").asDouble()).isEqualTo(1.0);
    }

    @Test
    void scoreWritesJsonTableAndReport() throws IOException {
        Path preds = tmp.resolve("preds.jsonl");
        Files.writeString(preds, String.join("\n",
                "{\"id\": \"PubMed/test/12\", \"prediction\": \"<think>five lobes</think><answer>D</answer>\", \"output_tokens\": 21}",
                "{\"id\": \"PubMed/test/13\", \"prediction\": \"<think>black walls</think><answer>A) Grocott methenamine silver (GMS)</answer>\", \"output_tokens\": 33}",
                "{\"id\": \"PubMed/test_tiny/3\", \"prediction\": \"The answer is (B)\", \"output_tokens\": 9}",
                "{\"id\": \"SocialPath/val/1\", \"prediction\": \"<answer>A</answer>\"}",
                "{\"id\": \"Atlas/test/99\", \"prediction\": \"<answer>A</answer>\"}", ""));
        Path json = tmp.resolve("scores.json");
        Run r = run(new ScoreCommand(), "--pred", preds.toString(), "--data", DATA.resolve("pathmmu").toString(),
                "--json", json.toString(), "--report", tmp.resolve("report").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("acc%", "PubMed", "SocialPath", "extraction strict");
        assertThat(r.err()).contains("1 of 5 samples have no prediction", "SocialPath/test/0",
                "1 predictions name no sample", "Atlas/test/99");
        JsonNode j = Json.MAPPER.readTree(json.toFile());
        // strict: 12 right, 13 right, test_tiny/3 miss (no tag), val/1 wrong
        assertThat(j.get("n").asInt()).isEqualTo(4);
        assertThat(j.get("accuracy").asDouble()).isEqualTo(0.5);
        assertThat(j.get("extraction_misses").asInt()).isEqualTo(1);
        assertThat(j.get("mean_output_tokens").asDouble()).isEqualTo(21.0);
        assertThat(j.get("subsets").get("PubMed").get("accuracy").asDouble()).isEqualTo(2.0 / 3);
        assertThat(tmp.resolve("report/report.html")).exists();
        assertThat(tmp.resolve("report/metrics.json")).exists();

        Run pathmmu = run(new ScoreCommand(), "--pred", preds.toString(), "--data",
                DATA.resolve("pathmmu/data.json").toString(), "--format", "pathmmu", "--extract", "pathmmu",
                "--json", json.toString(), "--metrics", "acc");
        assertThat(pathmmu.code()).as(pathmmu.err()).isZero();
        JsonNode p = Json.MAPPER.readTree(json.toFile());
        // PathMMU does not strip tags: "<answer>D</answer>" and "<answer>A</answer>" give no letter; the 6-word
        // test/13 answer is matched by its option text (cut at ')': "grocott methenamine silver (gms"), and
        // "(B)" is read from test_tiny/3
        assertThat(p.get("extraction").asText()).isEqualTo("pathmmu");
        assertThat(p.get("extraction_misses").asInt()).isEqualTo(2);
        assertThat(p.get("subsets").get("PubMed").get("correct").asInt()).isEqualTo(1);
        assertThat(p.has("mean_output_tokens")).isFalse();
    }

    @Test
    void scoreReportsBadPredictionLines() throws IOException {
        Path preds = tmp.resolve("bad.jsonl");
        Files.writeString(preds, "{\"id\": \"PubMed/test/12\", \"prediction\": \"D\"}\n{\"id\": \"x\", \"prediction\": 3}\n");
        Run r = run(new ScoreCommand(), "--pred", preds.toString(), "--data", DATA.resolve("pathmmu").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bad.jsonl:2: prediction for 'x' is missing or not text");
        Run unknown = run(new ScoreCommand(), "--pred", preds.toString(), "--data", "x.json", "--format", "coco");
        assertThat(unknown.err()).contains("unknown dataset format 'coco'");
        Run mode = run(new ScoreCommand(), "--pred", preds.toString(), "--data", DATA.resolve("pathmmu").toString(),
                "--extract", "fuzzy");
        assertThat(mode.err()).contains("unknown extraction mode 'fuzzy'");
    }

    @Test
    void dataStatsAndConvert() throws IOException {
        Run stats = run(new DataCommand(), "stats", DATA.resolve("slidebench.csv").toString());
        assertThat(stats.code()).as(stats.err()).isZero();
        assertThat(stats.out()).contains("(slidebench)", "Diagnosis", "mcq", "answer");
        Run tiny = run(new DataCommand(), "stats", DATA.resolve("pathmmu").toString(), "--split", "test_tiny");
        assertThat(tiny.out()).contains("samples  1");

        Path out = tmp.resolve("out/wsi.jsonl");
        Run conv = run(new DataCommand(), "convert", DATA.resolve("wsi-vqa.json").toString(), "--format", "wsi-vqa",
                "--slide-pattern", "slides/{slide}.svs", "--out", out.toString());
        assertThat(conv.code()).as(conv.err()).isZero();
        assertThat(conv.out()).contains("wrote 6 samples");
        List<Sample> back = SampleJsonl.read(out);
        assertThat(back).hasSize(6);
        // the image path still points at DATA/slides/... from the output's folder
        assertThat(SampleJsonl.resolveImage(out, back.get(0).images().get(0)))
                .isEqualTo(DATA.toAbsolutePath().resolve("slides/TCGA-LD-A74U.svs").normalize());

        Run bad = run(new DataCommand(), "stats", tmp.resolve("nothing.json").toString(), "--format", "llava");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("nothing.json: no such file or folder");
    }

    @Test
    void reportComparesRuns() throws IOException {
        for (String run : List.of("a", "b")) {
            Files.createDirectories(tmp.resolve(run));
        }
        Files.writeString(tmp.resolve("a/metrics.json"), "{\"n\": 10, \"accuracy\": 0.6, \"subsets\": "
                + "{\"PubMed\": {\"accuracy\": 0.5}, \"Atlas\": {\"accuracy\": 0.7}}}");
        Files.createDirectories(tmp.resolve("b/eval"));
        Files.writeString(tmp.resolve("b/eval/metrics.json"), "{\"n\": 10, \"accuracy\": 0.8, \"subsets\": "
                + "{\"PubMed\": {\"accuracy\": 0.9}, \"Atlas\": {\"accuracy\": 0.7}}}");
        Path html = tmp.resolve("cmp/index.html");
        Run r = run(new ReportCommand(), "--runs", tmp.resolve("a").toString(), tmp.resolve("b").toString(),
                "--out", html.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String page = Files.readString(html);
        assertThat(page).contains("<b>80.00</b>", "60.00", "PubMed acc (%)", "Atlas acc (%)");
        assertThat(tmp.resolve("cmp/plots/runs-subset-accuracy.png")).exists();
        Run missing = run(new ReportCommand(), "--runs", tmp.resolve("cmp").toString());
        assertThat(missing.err()).contains("no metrics.json or eval/metrics.json");
    }
}

package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.train.clip.ClipTrainerTest;
import picocli.CommandLine;

/** {@code clip train}, then {@code zeroshot}, {@code retrieve}, {@code probe} and {@code embed} on its model. */
class ClipCommandTest {

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cli = PathoReasonCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void trainThenEveryProtocol(@TempDir Path tmp) throws Exception {
        Path data = ClipTrainerTest.world(tmp.resolve("world"));
        Path run = tmp.resolve("run");
        List<String> args = new ArrayList<>(List.of("clip", "train", "--data", data.toString(), "--tokenizer",
                ClipTrainerTest.TOKENIZER.toString(), "--out", run.toString(), "--no-progress"));
        for (String o : ClipTrainerTest.tiny(8)) {
            args.add("--set");
            args.add(o);
        }
        assertThat(run(args.toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(out.toString()).contains("clip done: 8 steps");
        assertThat(run.resolve("report.html")).exists();
        assertThat(run.resolve("metrics.json")).exists();
        Path model = run.resolve("final");

        Path prompts = tmp.resolve("prompts.json");
        Files.writeString(prompts, "{\"0\": {\"classnames\": {\"red_square\": [\"red square\"], \"blue_circle\": "
                + "[\"blue circle\"], \"green_square\": [\"green square\"]}, \"templates\": [\"a CLASSNAME\"]}}");
        assertThat(run("clip", "zeroshot", "--model", model.toString(), "--data", data.toString(), "--prompts",
                prompts.toString(), "--out", tmp.resolve("zs").toString(), "--no-progress")).as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("zero-shot on 12 images, 3 classes").contains("20 skipped");
        JsonNode zs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                tmp.resolve("zs/metrics.json").toFile());
        assertThat(zs.path("zero_shot").path("accuracy").isNumber()).isTrue();
        assertThat(tmp.resolve("zs/plots/confusion.png")).exists();

        assertThat(run("clip", "zeroshot", "--model", model.toString(), "--prompts",
                "src/test/resources/org/pathoreason/eval/clip/quilt-en-classnames.json", "--dataset", "bach",
                "--out", tmp.resolve("q").toString(), "--no-progress")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("4 classes, 5 templates")
                .contains("breast malignant invasive carcinoma");

        assertThat(run("clip", "retrieve", "--model", model.toString(), "--data", data.toString(), "--out",
                tmp.resolve("ret").toString(), "--no-progress")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("image->text over 32 pairs");

        assertThat(run("clip", "probe", "--model", model.toString(), "--train", data.toString(), "--test",
                data.toString(), "--c", "1.0", "--few-shot-max-k", "2", "--subsets", "3", "--out",
                tmp.resolve("probe").toString(), "--no-progress")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("linear probe (C = 1)").contains("2-shot");

        assertThat(run("clip", "embed", "--model", model.toString(), "--data", data.toString(), "--out",
                tmp.resolve("emb").toString(), "--no-progress")).as(err.toString()).isZero();
        try (SafetensorsReader r = SafetensorsReader.open(tmp.resolve("emb/embeddings.safetensors"))) {
            assertThat(r.info("image").shape()).containsExactly(32, 16);
            assertThat(r.info("text").shape()).containsExactly(32, 16);
        }
        assertThat(Files.readString(tmp.resolve("emb/ids.json"))).contains("\"p0\"");
    }

    @Test
    void userErrorsAreOneLine(@TempDir Path tmp) {
        assertThat(run("clip", "train", "--data", tmp.resolve("none.jsonl").toString(), "--out",
                tmp.resolve("r").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("give --model DIR (fine-tune) or --tokenizer FILE (new model)");
        assertThat(run("clip", "zeroshot", "--help")).isZero();
    }
}

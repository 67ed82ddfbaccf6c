package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.util.Json;
import org.pathoreason.wsi.CoordsFiles;
import picocli.CommandLine;

class WsiCommandTest {

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new WsiCommand());
        cli.setExecutionExceptionHandler(new CliErrors());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    static String slide(String name) {
        try {
            return Path.of(WsiCommandTest.class.getResource("/wsi/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void infoJson() throws Exception {
        assertThat(run("info", "--slide", slide("openslide-boxes.tiff"), "--backend", "java", "--json")).isZero();
        JsonNode j = Json.MAPPER.readTree(out.toString());
        assertThat(j.get("vendor").asText()).isEqualTo("generic-tiff");
        assertThat(j.get("level_count").asInt()).isEqualTo(4);
        assertThat(j.get("levels").get(2).get("width").asInt()).isEqualTo(75);
        assertThat(j.get("levels").get(2).get("downsample").asDouble()).isCloseTo(4.0161,
                org.assertj.core.data.Offset.offset(1e-4));
        assertThat(j.get("properties").get("tiff.ResolutionUnit").asText()).isEqualTo("centimeter");
    }

    @Test
    void regionWritesTheRequestedPixels() throws Exception {
        Path png = dir.resolve("r.png");
        assertThat(run("region", "--slide", slide("CMU-1-Small-Region.svs"), "--level", "0", "--x", "2100", "--y",
                "2900", "--width", "200", "--height", "100", "--out", png.toString())).isZero();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(200);
        assertThat(img.getHeight()).isEqualTo(100);
        assertThat(img.getRGB(10, 10) >>> 24).isEqualTo(255);
        assertThat(img.getRGB(199, 99) >>> 24).isZero(); // past the slide's 2220 x 2967
        assertThat(out.toString()).contains("wrote").contains("java backend");
    }

    @Test
    void tilesWriteClamFiles() throws Exception {
        Path o = dir.resolve("clam");
        assertThat(run("tiles", "--slide", slide("CMU-1-Small-Region.svs"), "--preset", "biopsy", "--magnification",
                "10", "--format", "h5,csv", "--out", o.toString())).isZero();
        CoordsFiles.H5Coords c = CoordsFiles.readH5(o.resolve("patches/CMU-1-Small-Region.h5"));
        assertThat(c.coords().length).isGreaterThan(3);
        assertThat(c.attributes()).containsEntry("patch_size", 512L);
        assertThat(Files.readAllLines(o.resolve("patches/CMU-1-Small-Region.csv"))).hasSize(c.coords().length + 1);
        assertThat(o.resolve("masks/CMU-1-Small-Region.png")).exists();
    }

    @Test
    void userErrorsAreOneLine() {
        assertThat(run("info", "--slide", dir.resolve("nope.svs").toString())).isEqualTo(1);
        assertThat(err.toString().strip()).startsWith("error: slide ").contains("nope.svs").doesNotContain("\n");
        err.getBuffer().setLength(0);
        assertThat(run("tiles", "--slide", slide("openslide-boxes.tiff"), "--magnification", "20", "--out",
                dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no objective power");
        err.getBuffer().setLength(0);
        assertThat(run("tiles", "--slide", slide("CMU-1-Small-Region.svs"), "--out", dir.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("no patch").contains("--preset biopsy");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String c : new String[] {"info", "thumbnail", "region", "tissue", "tiles", "features", "dzi", "synth",
            "prompt", "ask", "eval", "mil"}) {
            out.getBuffer().setLength(0);
            assertThat(run(c, "--help")).isZero();
            assertThat(out.toString()).contains("Usage: wsi " + c);
        }
    }

    @Test
    void promptWritesKPatchesAndOneSample() throws Exception {
        Path jsonl = dir.resolve("p/q.jsonl");
        assertThat(run("prompt", "--slide", slide("CMU-1-Small-Region.svs"), "--preset", "biopsy", "--question",
                "What tissue is this?", "--k", "3", "--out", jsonl.toString())).isZero();
        var samples = org.pathoreason.data.SampleJsonl.read(jsonl);
        assertThat(samples).hasSize(1);
        assertThat(samples.get(0).images()).hasSize(3);
        assertThat(samples.get(0).question()).endsWith("What tissue is this?");
        for (String img : samples.get(0).images()) {
            assertThat(ImageIO.read(jsonl.resolveSibling(img).toFile()).getWidth()).isEqualTo(256);
        }
    }

    @Test
    void askPutsTheChosenPatchesToTheModelAndScoresSlideQuestions() throws Exception {
        Path tok = dir.resolve("tokenizer.json");
        java.util.List<String> lines = new java.util.ArrayList<>();
        java.util.Random r = new java.util.Random(1);
        String[] words = {"the", "tissue", "shows", "answer", "think", "skin", "stroma", "is", "a", "of"};
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 8; k++) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            lines.add(sb.toString().trim());
        }
        Files.write(dir.resolve("corpus.txt"), lines);
        new org.pathoreason.text.BpeTokenizerTrainer(org.pathoreason.text.BpeTokenizerTrainer.Options.defaults()
                .withVocabSize(300)).train(dir.resolve("corpus.txt")).write(tok);
        Path ckpt = dir.resolve("tiny");
        CommandLine init = new CommandLine(new ModelCommand());
        assertThat(init.execute("init", "--config", "tiny", "--tokenizer", tok.toString(), "--out",
                ckpt.toString())).isZero();

        assertThat(run("ask", "--checkpoint", ckpt.toString(), "--slide", slide("CMU-1-Small-Region.svs"),
                "--question", "Which tissue is this?", "--option", "Skin", "--option", "Liver", "--preset", "biopsy",
                "--patch-size", "112", "--k", "2", "--max-new-tokens", "4")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("CMU-1-Small-Region: 2 patches").contains("answer:");

        Path jsonl = dir.resolve("q.jsonl");
        org.pathoreason.data.Sample q = org.pathoreason.wsi.SlideQuestions.openQuestion("q1", "Which tissue?",
                slide("CMU-1-Small-Region.svs")).toBuilder().options(java.util.List.of("Skin", "Liver"))
                .answer("A").task(org.pathoreason.data.Task.MCQ).build();
        org.pathoreason.data.SampleJsonl.write(jsonl, java.util.List.of(q));
        out.getBuffer().setLength(0);
        assertThat(run("ask", "--checkpoint", ckpt.toString(), "--questions", jsonl.toString(), "--preset",
                "biopsy", "--patch-size", "112", "--k", "2", "--max-new-tokens", "4")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("q1: 2 patches").contains("gold A")
                .containsPattern("slide question accuracy [01]\\.000 \\([01]/1\\) with 2 patches");
    }

    @Test
    void deepZoomLayout() throws Exception {
        assertThat(run("dzi", "--slide", slide("openslide-boxes.tiff"), "--out", dir.toString(), "--tile-size",
                "64", "--overlap", "1")).isZero();
        // 300 x 250: 10 levels (300 -> 150 -> 75 -> 38 -> 19 -> 10 -> 5 -> 3 -> 2 -> 1)
        assertThat(Files.readString(dir.resolve("openslide-boxes.dzi"))).contains("TileSize=\"64\"")
                .contains("Overlap=\"1\"").contains("Height=\"250\" Width=\"300\"");
        BufferedImage last = ImageIO.read(dir.resolve("openslide-boxes_files/9/4_3.jpeg").toFile());
        assertThat(last.getWidth()).isEqualTo(300 - 4 * 64 + 1);
        assertThat(last.getHeight()).isEqualTo(250 - 3 * 64 + 1);
        BufferedImage inner = ImageIO.read(dir.resolve("openslide-boxes_files/9/1_1.jpeg").toFile());
        assertThat(inner.getWidth()).isEqualTo(66);
        assertThat(ImageIO.read(dir.resolve("openslide-boxes_files/0/0_0.jpeg").toFile()).getWidth()).isEqualTo(1);
    }
}

package org.pathoreason.data.export;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.data.readers.DatasetFormat;
import org.pathoreason.data.readers.LlavaConversationReader;
import org.pathoreason.data.readers.ReadOptions;
import org.pathoreason.data.readers.WebDatasetReader;
import org.pathoreason.util.Json;

/** Canonical samples out to LLaVA JSON and WebDataset shards, and back through the readers. */
class ExportRoundTripTest {

    @TempDir
    Path dir;

    List<Sample> samples;

    static BufferedImage picture(Color c) {
        BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 12; x++) {
                img.setRGB(x, y, (x + y) % 3 == 0 ? c.getRGB() : Color.WHITE.getRGB());
            }
        }
        return img;
    }

    @BeforeEach
    void samples() throws IOException {
        Path images = Files.createDirectories(dir.resolve("data/images"));
        ImageIO.write(picture(Color.RED), "png", images.resolve("a.png").toFile());
        ImageIO.write(picture(Color.BLUE), "jpg", images.resolve("b.jpg").toFile());
        ImageIO.write(picture(Color.GREEN), "tiff", images.resolve("c.tif").toFile());
        Sample.Reasoning why = new Sample.Reasoning("Plasma cells.", "Plasma cells suggest chronic inflammation.");
        samples = List.of(
                new Sample("PubMed/test/1", List.of("images/a.png"), "Which diagnosis?", List.of("Acute inflammation",
                        "Chronic inflammation"), "B", "Chronic inflammation", why, null, List.of("plasma cell"),
                        Task.MCQ, "PubMed", Map.of("guidance", List.of("plasma cell -[suggests]-> chronic"))),
                new Sample("yn.2", List.of("images/b.jpg", "images/a.png"), "Are plasma cells present?", List.of(),
                        "yes", "yes", null, null, List.of(), Task.YESNO, null, Map.of()),
                new Sample("open-3", List.of("images/c.tif"), "What is the diagnosis?", List.of(),
                        "Chronic inflammation", "Chronic inflammation", why, null, List.of(), Task.OPEN, null, Map.of()),
                new Sample("fig/1", List.of("images/a.png"), "", List.of(), null, null, null,
                        "Figure 1. Plasma cells in the lamina propria.", List.of(), Task.CAPTION, "book", Map.of()));
    }

    @Test
    void llavaJsonReadsBackAsTheSameQuestionsAnswersAndReasoning() throws IOException {
        Path file = dir.resolve("out/llava.json");
        LlavaExport.write(samples, dir.resolve("data"), file);
        JsonNode first = Json.MAPPER.readTree(file.toFile()).get(0);
        assertThat(first.get("image").asText()).isEqualTo("../data/images/a.png");
        assertThat(first.at("/conversations/0/value").asText())
                .isEqualTo("<image>\nWhich diagnosis?\nA) Acute inflammation\nB) Chronic inflammation");
        assertThat(first.at("/conversations/1/value").asText()).isEqualTo("<observe>Plasma cells.</observe><think>"
                + "Plasma cells suggest chronic inflammation.</think><answer>B</answer>");
        assertThat(DatasetFormat.detect(file)).isEqualTo(DatasetFormat.LLAVA);

        List<Sample> back = new LlavaConversationReader().read(file, ReadOptions.DEFAULTS);
        assertThat(back).hasSize(4);
        for (int i = 0; i < 3; i++) {
            Sample a = samples.get(i);
            Sample b = back.get(i);
            assertThat(b.id()).isEqualTo(a.id());
            assertThat(b.task()).isEqualTo(a.task());
            assertThat(b.question()).isEqualTo(a.question());
            assertThat(b.options()).isEqualTo(a.options());
            assertThat(b.answer()).isEqualTo(a.answer());
            assertThat(b.reasoning()).isEqualTo(a.reasoning());
            assertThat(b.images()).hasSameSizeAs(a.images());
        }
        assertThat(back.get(1).images()).containsExactly("../data/images/b.jpg", "../data/images/a.png");
        // LLaVA has no task field: a caption comes back as the answer to "Describe this image."
        assertThat(back.get(3).question()).isEqualTo(LlavaExport.CAPTION_PROMPT);
        assertThat(back.get(3).answer()).isEqualTo(samples.get(3).caption());
    }

    @Test
    void webDatasetShardsHoldImageJsonAndCaptionPerKeyAndReadBack() throws IOException {
        Path shards = dir.resolve("wds");
        WebDatasetExport.Result r = WebDatasetExport.write(samples, dir.resolve("data"), shards, 3);
        assertThat(r.shards()).containsExactly("shard-000000.tar", "shard-000001.tar");
        assertThat(members(shards.resolve("shard-000000.tar"))).containsExactly("PubMed_test_1.png",
                "PubMed_test_1.json", "yn_2.jpg", "yn_2.1.png", "yn_2.json", "open-3.png", "open-3.json");
        assertThat(members(shards.resolve("shard-000001.tar"))).containsExactly("fig_1.png", "fig_1.json", "fig_1.txt");
        byte[] first = Files.readAllBytes(shards.resolve("shard-000000.tar"));
        WebDatasetExport.write(samples, dir.resolve("data"), dir.resolve("wds-again"), 3);
        assertThat(Files.readAllBytes(dir.resolve("wds-again/shard-000000.tar"))).isEqualTo(first);

        assertThat(DatasetFormat.detect(shards)).isEqualTo(DatasetFormat.WEBDATASET);
        List<Sample> back = DatasetFormat.WEBDATASET.read(shards, ReadOptions.DEFAULTS);
        assertThat(back).hasSize(4);
        for (int i = 0; i < 4; i++) {
            Sample a = samples.get(i);
            Sample b = back.get(i);
            Sample sameImages = new Sample(b.id(), a.images(), b.question(), b.options(), b.answer(), b.answerText(),
                    b.reasoning(), b.caption(), b.entities(), b.task(), b.subset(), b.meta());
            assertThat(sameImages).isEqualTo(a);
        }
        assertThat(back.get(1).images()).containsExactly("shard-000000/yn_2.jpg", "shard-000000/yn_2.1.png");
        // PNG and JPEG go as they are; the TIFF became a PNG with the same pixels
        assertThat(Files.readAllBytes(shards.resolve(back.get(0).images().get(0))))
                .isEqualTo(Files.readAllBytes(dir.resolve("data/images/a.png")));
        assertThat(Files.readAllBytes(shards.resolve(back.get(1).images().get(0))))
                .isEqualTo(Files.readAllBytes(dir.resolve("data/images/b.jpg")));
        BufferedImage tif = ImageIO.read(dir.resolve("data/images/c.tif").toFile());
        BufferedImage png = ImageIO.read(shards.resolve(back.get(2).images().get(0)).toFile());
        assertThat(png.getRGB(0, 0)).isEqualTo(tif.getRGB(0, 0));
        assertThat(png.getRGB(1, 0)).isEqualTo(tif.getRGB(1, 0));
        assertThat(new String(entry(shards.resolve("shard-000001.tar"), "fig_1.txt"), StandardCharsets.UTF_8))
                .isEqualTo("Figure 1. Plasma cells in the lamina propria.");
    }

    @Test
    void openClipStyleShardsWithoutJsonAreCaptionPairs() throws IOException {
        Path tar = dir.resolve("laion-000.tar");
        ImageIO.write(picture(Color.RED), "jpg", dir.resolve("x.jpg").toFile());
        byte[] jpg = Files.readAllBytes(dir.resolve("x.jpg"));
        try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            put(t, "000001.jpg", jpg);
            put(t, "000001.txt", "an H&E section of colon".getBytes(StandardCharsets.UTF_8));
            put(t, "000001.cls", "3".getBytes(StandardCharsets.UTF_8));
            put(t, "000002.jpg", jpg);
            put(t, "000002.txt", "lymph node".getBytes(StandardCharsets.UTF_8));
        }
        List<Sample> back = new WebDatasetReader().read(tar, ReadOptions.DEFAULTS);
        assertThat(back).extracting(Sample::id).containsExactly("000001", "000002");
        assertThat(back.get(0).task()).isEqualTo(Task.CAPTION);
        assertThat(back.get(0).caption()).isEqualTo("an H&E section of colon");
        assertThat(back.get(0).subset()).isEqualTo("3");
        assertThat(back.get(0).images()).containsExactly("laion-000/000001.jpg");
        assertThat(dir.resolve("laion-000/000001.jpg")).hasBinaryContent(jpg);
    }

    @Test
    void damagedShardsAndMissingImagesNameTheFile() throws IOException {
        WebDatasetExport.write(samples, dir.resolve("data"), dir.resolve("wds"), 10);
        Path shard = dir.resolve("wds/shard-000000.tar");
        byte[] bytes = Files.readAllBytes(shard);
        Path cut = dir.resolve("cut.tar");
        Files.write(cut, Arrays.copyOf(bytes, 700));
        assertThatThrownBy(() -> new WebDatasetReader().read(cut, ReadOptions.DEFAULTS))
                .isInstanceOf(DataException.class).hasMessageStartingWith(cut + ": ");
        Sample missing = new Sample("m", List.of("images/none.png"), "q?", List.of(), "yes", "yes", null, null,
                List.of(), Task.YESNO, null, Map.of());
        assertThatThrownBy(() -> WebDatasetExport.write(List.of(missing), dir.resolve("data"), dir.resolve("w2"), 1))
                .isInstanceOf(DataException.class).hasMessageContaining("none.png does not exist");
        assertThat(dir.resolve("w2")).doesNotExist();
    }

    private static void put(TarArchiveOutputStream t, String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        t.putArchiveEntry(e);
        t.write(bytes);
        t.closeArchiveEntry();
    }

    private static List<String> members(Path tar) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                names.add(e.getName());
                assertThat(e.getModTime().getTime()).isZero();
            }
        }
        return names;
    }

    private static byte[] entry(Path tar, String name) throws IOException {
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return t.readAllBytes();
                }
            }
        }
        throw new AssertionError("no " + name + " in " + tar);
    }
}

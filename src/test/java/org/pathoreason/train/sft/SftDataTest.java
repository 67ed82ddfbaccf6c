package org.pathoreason.train.sft;

import org.pathoreason.train.TrainingData;
import org.pathoreason.train.BadSampleLog;
import org.pathoreason.train.OnBadSample;

import org.pathoreason.image.ImageCache;
import org.pathoreason.train.TrajectoryMasking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.ModelInput;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.util.Json;

class SftDataTest {

    @TempDir
    Path dir;

    private static ExampleBuilder builder() {
        return new ExampleBuilder(SftFixtures.tokenizer(), ChatTemplate.QWEN2_5_VL, new ExampleBuilder.Settings(
                Stage.SFT, PromptStyle.PLAIN, TargetFormat.THINK_ANSWER, AnswerStyle.LETTER,
                TrajectoryMasking.defaults(), 4096));
    }

    private static ImageCache cache() {
        return new ImageCache(new QwenImageProcessor(PreprocessorConfig.defaults()), 1 << 20);
    }

    /** Three good lines around a malformed line, a missing image and an unknown option letter. */
    private Path badFile() throws Exception {
        Path file = SftFixtures.dataset(dir, "data.jsonl", 3);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.add("{\"id\": \"broken\", \"task\": \"mcq\", ");
        lines.add(Json.MAPPER.writeValueAsString(SftFixtures.mcq(10, 0, "images/nowhere.png")));
        lines.add(lines.get(0).replace("\"id\":\"s0\"", "\"id\":\"s11\"").replace("\"answer\":\"A\"",
                "\"answer\":\"E\""));
        Files.write(file, lines);
        return file;
    }

    @Test
    void badSamplesAreReportedWithFileAndLineThenSkipped() throws Exception {
        Path file = badFile();
        BadSampleLog log = new BadSampleLog(OnBadSample.SKIP);
        List<TrainingData.Located> read = TrainingData.read(file, "auto", log);
        assertThat(read).extracting(l -> l.sample().id()).containsExactly("s0", "s1", "s2", "s10");
        assertThat(read.get(3).line()).isEqualTo(5);
        SftData.Examples built = SftData.build(read, builder(), cache(), log);
        assertThat(built.examples()).extracting(TrainingExample::id).containsExactly("s0", "s1", "s2");
        assertThat(log.skipped()).isEqualTo(3);
        assertThat(log.counts()).containsEntry("malformed", 1).containsEntry("missing_image", 1)
                .containsEntry("bad_answer", 1);
        assertThat(log.messages()).anySatisfy(m -> assertThat(m).startsWith(file + ":4: malformed JSON"))
                .anySatisfy(m -> assertThat(m).startsWith(file + ":5: image 'images/nowhere.png' not found"))
                .anySatisfy(m -> assertThat(m).startsWith(file + ":6: answer 'E'")
                        .contains("not an option letter A-D"));
    }

    @Test
    void stoppingNamesTheFirstBadLine() throws Exception {
        Path file = badFile();
        assertThatThrownBy(() -> TrainingData.read(file, "auto", new BadSampleLog(OnBadSample.STOP)))
                .isInstanceOf(DataException.class).hasMessageStartingWith(file + ":4: malformed JSON")
                .hasMessageContaining("on_bad_sample: stop");
        // with the malformed line gone, reading stops at the unknown letter
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.remove(3);
        Files.write(file, lines);
        assertThatThrownBy(() -> TrainingData.read(file, "auto", new BadSampleLog(OnBadSample.STOP)))
                .hasMessageStartingWith(file + ":5: answer 'E' of sample 's11' is not an option letter A-D");
        // and without it, the missing image stops the build, again by line
        lines.remove(4);
        Files.write(file, lines);
        BadSampleLog log = new BadSampleLog(OnBadSample.STOP);
        List<TrainingData.Located> read = TrainingData.read(file, "jsonl", log);
        assertThatThrownBy(() -> SftData.build(read, builder(), cache(), log))
                .isInstanceOf(DataException.class).hasMessageStartingWith(file + ":4: image 'images/nowhere.png'");
    }

    @Test
    void anUnreadableImageIsABadSampleToo() throws Exception {
        Path file = SftFixtures.dataset(dir, "data.jsonl", 2);
        Files.writeString(dir.resolve("images/data.jsonl-1.png"), "not a png");
        BadSampleLog log = new BadSampleLog(OnBadSample.SKIP);
        SftData.Examples built = SftData.build(TrainingData.read(file, "auto", log), builder(), cache(), log);
        assertThat(built.examples()).hasSize(1);
        assertThat(log.counts()).containsEntry("unreadable_image", 1);
        assertThat(log.messages().get(0)).startsWith(file + ":2: image 'images/data.jsonl-1.png' cannot be read");
    }

    @Test
    void llavaConversationsAreReadThroughTheReaders() throws Exception {
        SftFixtures.image(dir.resolve("img/a.png"), 1, 0);
        String json = "[{\"id\": \"p1\", \"image\": \"img/a.png\", \"conversations\": ["
                + "{\"from\": \"human\", \"value\": \"<image>\\nWhich diagnosis fits this tissue?\\nA. Acute "
                + "inflammation\\nB. Chronic inflammation\"},"
                + "{\"from\": \"gpt\", \"value\": \"<observe>The tissue shows plasma cells.</observe><think>plasma "
                + "cells point to chronic inflammation.</think><answer>B</answer>\"}]}]";
        Path file = dir.resolve("train.json");
        Files.writeString(file, json);
        BadSampleLog log = new BadSampleLog(OnBadSample.STOP);
        List<TrainingData.Located> read = TrainingData.read(file, "auto", log);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).where()).isEqualTo(file + ": sample 'p1'");
        SftData.Examples built = SftData.build(read, builder(), cache(), log);
        TrainingExample e = built.examples().get(0);
        assertThat(SftFixtures.tokenizer().decode(e.targetIds(), false))
                .isEqualTo("<think>plasma cells point to chronic inflammation.</think><answer>B</answer><|im_end|>");
        assertThat(e.images()).containsExactly(dir.resolve("img/a.png").toAbsolutePath().normalize());
    }

    @Test
    void validationSplitIsSeededAndDisjoint() {
        Path file = SftFixtures.dataset(dir, "data.jsonl", 10);
        List<TrainingData.Located> all = TrainingData.read(file, "auto", new BadSampleLog(OnBadSample.STOP));
        List<List<TrainingData.Located>> a = TrainingData.splitValidation(all, 0.2, 7);
        List<List<TrainingData.Located>> b = TrainingData.splitValidation(all, 0.2, 7);
        assertThat(a.get(1)).hasSize(2).isEqualTo(b.get(1));
        assertThat(a.get(0)).hasSize(8).doesNotContainAnyElementsOf(a.get(1));
        assertThat(TrainingData.splitValidation(all, 0.2, 8).get(1)).isNotEqualTo(a.get(1));
        assertThat(TrainingData.fingerprint(file)).startsWith("sha256:").hasSize(71);
    }

    @Test
    void collatorPadsOnTheRightAndKeepsImagesInRowOrder() throws Exception {
        Path file = SftFixtures.dataset(dir, "data.jsonl", 2);
        ImageCache images = cache();
        BadSampleLog log = new BadSampleLog(OnBadSample.STOP);
        List<TrainingExample> ex = new ArrayList<>(SftData.build(TrainingData.read(file, "auto", log), builder(), images,
                log).examples());
        // make the rows differ in length
        TrainingExample shortOne = ex.get(1);
        int cut = shortOne.promptLength() + 2;
        ex.set(1, new TrainingExample(shortOne.id(), java.util.Arrays.copyOf(shortOne.ids(), cut),
                java.util.Arrays.copyOf(shortOne.targets(), cut), shortOne.promptLength(), shortOne.images(), true));
        long pad = SftFixtures.tokenizer().padId();
        Batch batch = new SftCollator(images, pad).collate(ex);
        ModelInput in = batch.input();
        int len = ex.get(0).length();
        assertThat(in.length()).isEqualTo(len);
        assertThat(in.inputIds()[1]).startsWith(ex.get(1).ids());
        for (int i = cut; i < len; i++) {
            assertThat(in.inputIds()[1][i]).isEqualTo(pad);
            assertThat(in.attentionMask()[1][i]).isZero();
            assertThat(batch.targets()[1][i]).isFalse();
        }
        assertThat(batch.targetTokens()).isEqualTo(ex.get(0).targetCount() + 2);
        assertThat(batch.firstTarget()).isEqualTo(Math.min(ex.get(0).promptLength(), ex.get(1).promptLength()));
        assertThat(in.imageGrids()).hasSize(2).allSatisfy(g -> assertThat(g).containsExactly(1, 4, 4));
        float[] first = images.get(ex.get(0).images().get(0)).patches();
        float[] second = images.get(ex.get(1).images().get(0)).patches();
        assertThat(java.util.Arrays.copyOfRange(in.pixelPatches(), 0, first.length)).isEqualTo(first);
        assertThat(java.util.Arrays.copyOfRange(in.pixelPatches(), first.length, in.pixelPatches().length))
                .isEqualTo(second);
        // every image was preprocessed exactly once for the whole test
        assertThat(images.processedCount()).isEqualTo(2);
    }
}

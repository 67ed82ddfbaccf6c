package org.pathoreason.train.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.model.clip.ClipModel;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.train.AdamW;
import org.pathoreason.train.MetricsLog;

/** Contrastive training end to end on a tiny world of coloured shapes, with the fixture's CLIP tokenizer. */
public class ClipTrainerTest {

    public static final Path TOKENIZER = Path.of("src/test/resources/org/pathoreason/model/clip/openclip/tokenizer.json");
    static final String[] COLOURS = {"red", "blue", "green", "yellow"};
    static final String[] SHAPES = {"square", "circle"};

    /** 32 pairs: 8 colour-shape kinds, 4 jittered images each, captioned with the kind. */
    public static Path world(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("images"));
        Color[] rgb = {Color.RED, Color.BLUE, Color.GREEN, Color.YELLOW};
        Random rnd = new Random(3);
        StringBuilder jsonl = new StringBuilder();
        int n = 0;
        for (int c = 0; c < COLOURS.length; c++) {
            for (int s = 0; s < SHAPES.length; s++) {
                for (int k = 0; k < 4; k++) {
                    BufferedImage img = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
                    Graphics2D g = img.createGraphics();
                    g.setColor(new Color(200 + rnd.nextInt(40), 200 + rnd.nextInt(40), 200 + rnd.nextInt(40)));
                    g.fillRect(0, 0, 24, 24);
                    g.setColor(rgb[c]);
                    int o = rnd.nextInt(4);
                    if (s == 0) {
                        g.fillRect(4 + o, 4 + o, 14, 14);
                    } else {
                        g.fillOval(3 + o, 3 + o, 16, 16);
                    }
                    g.dispose();
                    String name = "images/" + n + ".png";
                    ImageIO.write(img, "png", dir.resolve(name).toFile());
                    jsonl.append(String.format("{\"id\":\"p%d\",\"images\":[\"%s\"],\"question\":\"\",\"caption\":"
                            + "\"a %s %s\",\"task\":\"caption\",\"meta\":{\"label\":\"%s_%s\"}}%n", n, name,
                            COLOURS[c], SHAPES[s], COLOURS[c], SHAPES[s]));
                    n++;
                }
            }
        }
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(file, jsonl);
        return file;
    }

    public static List<String> tiny(int steps) {
        return new ArrayList<>(List.of("clip.image_size=16", "clip.patch_size=8", "clip.width=32", "clip.layers=1",
                "clip.heads=2", "clip.text_width=32", "clip.text_layers=1", "clip.text_heads=2",
                "clip.context_length=8", "clip.embed_dim=16", "train.batch_size=16", "train.lr=2e-3",
                "train.warmup_steps=3", "train.max_steps=" + steps, "train.log_every=1", "train.save_every=0"));
    }

    @Test
    void lossFallsAndLogitScaleStaysClamped(@TempDir Path tmp) throws Exception {
        Path data = world(tmp.resolve("world"));
        List<String> o = tiny(40);
        o.add("clip.max_logit_scale=2.5"); // below the initial ln(1 / 0.07) = 2.66: the clamp acts at once
        ClipTrainer.Result r = new ClipTrainer(ClipTrainConfig.load(null, o), data, null, TOKENIZER,
                tmp.resolve("run")).run();
        List<Map<String, Object>> lines = MetricsLog.read(tmp.resolve("run").resolve(ClipTrainer.METRICS));
        double first = ((Number) lines.get(0).get("loss")).doubleValue();
        assertThat(first).isBetween(2.4, 3.2); // ln 16 = 2.77 at random
        assertThat(r.lastLoss()).isLessThan(first * 0.6);
        for (Map<String, Object> l : lines) {
            assertThat(((Number) l.get("logit_scale")).doubleValue()).isLessThanOrEqualTo(Math.exp(2.5) + 1e-3);
        }
        assertThat(r.logitScale()).isLessThanOrEqualTo(Math.exp(2.5) + 1e-4);
        try (ClipModel m = ClipModel.load(r.finalDir())) {
            assertThat(m.config().vision().imageSize()).isEqualTo(16);
            assertThat(Files.isRegularFile(r.finalDir().resolve("tokenizer.json"))).isTrue();
            assertThat(Files.isRegularFile(r.finalDir().resolve("open_clip_model.safetensors"))).isTrue();
        }
    }

    @Test
    void resumeContinuesExactly(@TempDir Path tmp) throws Exception {
        Path data = world(tmp.resolve("world"));
        List<String> o = tiny(6);
        o.set(o.indexOf("train.save_every=0"), "train.save_every=2");
        o.add("train.batch_size=12"); // epochs end mid-batch: data positions matter
        new ClipTrainer(ClipTrainConfig.load(null, o), data, null, TOKENIZER, tmp.resolve("whole")).run();
        Path cut = tmp.resolve("cut");
        assertThatThrownBy(() -> new ClipTrainer(ClipTrainConfig.load(null, o), data, null, TOKENIZER, cut)
                .listener((step, total, m) -> {
                    if (step == 3) {
                        throw new IllegalStateException("interrupted");
                    }
                }).run()).hasMessage("interrupted");
        ClipTrainer.Result r = new ClipTrainer(ClipTrainConfig.load(null, o), data, null, TOKENIZER, cut).run();
        assertThat(r.resumedFrom()).isEqualTo(2);
        assertThat(r.stepsThisRun()).isEqualTo(4);
        try (SafetensorsReader a = SafetensorsReader.open(tmp.resolve("whole/final/open_clip_model.safetensors"));
             SafetensorsReader b = SafetensorsReader.open(cut.resolve("final/open_clip_model.safetensors"))) {
            assertThat(b.names()).isEqualTo(a.names());
            for (String n : a.names()) {
                assertThat(b.readFloats(n)).as(n).containsExactly(a.readFloats(n));
            }
        }
    }

    @Test
    void lockedImageTowerDoesNotMove(@TempDir Path tmp) throws Exception {
        Path data = world(tmp.resolve("world"));
        List<String> o = tiny(2);
        ClipTrainer.Result base = new ClipTrainer(ClipTrainConfig.load(null, o), data, null, TOKENIZER,
                tmp.resolve("base")).run();
        List<String> lit = tiny(3);
        lit.add("train.freeze_vision=true");
        ClipTrainer.Result r = new ClipTrainer(ClipTrainConfig.load(null, lit), data, base.finalDir(), null,
                tmp.resolve("lit")).run();
        try (SafetensorsReader a = SafetensorsReader.open(base.finalDir().resolve("open_clip_model.safetensors"));
             SafetensorsReader b = SafetensorsReader.open(r.finalDir().resolve("open_clip_model.safetensors"))) {
            int moved = 0;
            for (String n : a.names()) {
                boolean same = java.util.Arrays.equals(a.readFloats(n), b.readFloats(n));
                if (n.startsWith("visual.")) {
                    assertThat(same).as(n + " is in the locked image tower").isTrue();
                } else if (!same) {
                    moved++;
                }
            }
            assertThat(moved).as("text tower parameters that changed").isGreaterThan(10);
        }
    }

    @Test
    void weightDecayFollowsOpenClipsRule() {
        var noDecay = AdamW.noDecayMatching(ClipTrainConfig.NO_DECAY);
        for (String n : List.of("logit_scale", "visual.class_embedding", "visual.ln_pre.weight", "ln_final.bias",
                "transformer.resblocks.0.attn.in_proj_bias", "visual.transformer.resblocks.1.mlp.c_fc.bias",
                "transformer.resblocks.0.ls_1.gamma")) {
            assertThat(noDecay.test(n)).as(n).isTrue();
        }
        for (String n : List.of("visual.conv1.weight", "visual.proj", "text_projection", "token_embedding.weight",
                "positional_embedding", "visual.positional_embedding", "transformer.resblocks.0.attn.in_proj_weight",
                "visual.transformer.resblocks.0.mlp.c_proj.weight")) {
            assertThat(noDecay.test(n)).as(n).isFalse();
        }
    }

    @Test
    void badSettingsAreRefused(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> ClipTrainConfig.load(null, List.of("train.grad_accum=2")))
                .hasMessageContaining("grad_accum must be 1");
        Path csv = tmp.resolve("pairs.csv");
        Files.writeString(csv, "filepath,label\nimages/1.png,x\n");
        assertThatThrownBy(() -> ClipPairs.read(csv)).hasMessageContaining("no caption column");
    }
}

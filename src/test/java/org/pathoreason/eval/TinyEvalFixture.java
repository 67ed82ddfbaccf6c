package org.pathoreason.eval;

import org.pathoreason.data.Task;

import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.engine.Engines;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.BpeModel;
import org.pathoreason.text.BpeTokenizerTrainer;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.text.TokenizerConfig;

/**
 * A tiny evaluation world built in a folder: a random Qwen2.5-VL checkpoint (tiny architecture, BPE tokenizer
 * trained on a few sentences, small pixel bounds), small drawn images and a canonical JSONL of mcq, yes/no and open
 * questions with the images relative to the JSONL's folder.
 */
public final class TinyEvalFixture {

    /** Small pixel bounds: the test images become 56x56 or 56x84 pixels, 4 or 6 merged vision tokens. */
    public static final long MIN_PIXELS = 28 * 28;
    public static final long MAX_PIXELS = 56 * 84;

    private static final List<String> CORPUS = List.of(
            "The tissue shows plasma cells and lymphocytes in a chronic inflammation pattern.",
            "Which cell type dominates the infiltrate? A. Neutrophil B. Plasma cell C. Eosinophil D. Macrophage",
            "Is there evidence of malignancy in this biopsy? yes or no",
            "Granulomatous inflammation with epithelioid histiocytes and giant cells.",
            "Squamous cell carcinoma invades the stroma with keratin pearls.",
            "<think>The nuclei are round and eccentric with clock-face chromatin.</think><answer>B</answer>",
            "Describe the glands, the stroma and the nuclei of this colon mucosa.",
            "Acute inflammation with neutrophils; chronic inflammation with plasma cells.");

    public final Path checkpoint;
    public final Path data;
    public final List<Sample> samples;

    private TinyEvalFixture(Path checkpoint, Path data, List<Sample> samples) {
        this.checkpoint = checkpoint;
        this.data = data;
        this.samples = samples;
    }

    /** Builds the checkpoint in {@code root/ckpt} and the data in {@code root/data}. */
    public static TinyEvalFixture create(Path root) throws IOException {
        Path ckpt = root.resolve("ckpt");
        Files.createDirectories(ckpt);
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            corpus.addAll(CORPUS);
        }
        BpeModel bpe = new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults().withVocabSize(420))
                .train(corpus);
        bpe.write(ckpt.resolve("tokenizer.json"));
        try (Tokenizer tok = Tokenizer.load(ckpt.resolve("tokenizer.json"));
             NDManager manager = Engines.newManager()) {
            TokenizerConfig.write(ckpt.resolve("tokenizer_config.json"), TokenizerConfig.build(tok));
            Qwen2VLConfig config = config(tok);
            try (Qwen2VLModel model = Qwen2VLModel.random(config, 7, manager)) {
                model.save(ckpt);
            }
        }
        PreprocessorConfig.defaults().withPixelBounds(MIN_PIXELS, MAX_PIXELS)
                .write(ckpt.resolve("preprocessor_config.json"));

        Path dataDir = root.resolve("data");
        Files.createDirectories(dataDir.resolve("images"));
        drawTile(dataDir.resolve("images/a.png"), 64, 64, new Color(0xd98fb5), new Color(0x4b2a7a), 5);
        drawTile(dataDir.resolve("images/b.png"), 96, 64, new Color(0xf2c4d8), new Color(0x5b3c99), 11);
        drawTile(dataDir.resolve("images/c.png"), 48, 80, new Color(0xe8a3c7), new Color(0x2f1b57), 3);
        List<String> dx = List.of("Acute inflammation", "Chronic inflammation", "Granulomatous inflammation",
                "Squamous cell carcinoma");
        List<Sample> samples = List.of(
                mcq("dx-1", "images/a.png", "What is the most likely diagnosis?", dx, "B", "diagnosis"),
                mcq("dx-2", "images/b.png", "What is the most likely diagnosis?", dx, "D", "diagnosis"),
                mcq("cell-1", "images/c.png", "Which cell type dominates the infiltrate?",
                        List.of("Neutrophil", "Plasma cell", "Eosinophil", "Macrophage"), "B", "cells"),
                new Sample("yn-1", List.of("images/a.png"), "Is there evidence of malignancy?", List.of(), "no", null,
                        null, null, null, Task.YESNO, "malignancy", Map.of()),
                new Sample("open-1", List.of("images/b.png"), "Describe the tissue.", List.of(),
                        "chronic inflammation with plasma cells", null, null, null, null, Task.OPEN, "describe",
                        Map.of()),
                mcq("dx-3", "images/c.png", "What is the most likely diagnosis?", dx, "A", "diagnosis"),
                new Sample("text-1", List.of(), "Which stain colours nuclei blue?", List.of("Eosin", "Haematoxylin"),
                        "B", null, null, null, null, Task.MCQ, "cells", Map.of()));
        Path jsonl = dataDir.resolve("test.jsonl");
        SampleJsonl.write(jsonl, samples);
        return new TinyEvalFixture(ckpt, jsonl, samples);
    }

    /**
     * The built-in tiny architecture with 2 decoder layers and a larger initialisation than transformers' 0.02:
     * with 0.02 a random model answers every prompt with the same run of newlines, which would make the
     * comparisons of these tests vacuous.
     */
    static Qwen2VLConfig config(Tokenizer tok) {
        Qwen2VLConfig tiny = Qwen2VLConfig.tiny(tok.vocabSize(), new Qwen2VLConfig.SpecialTokenIds(
                (int) tok.imagePadId(), (int) tok.videoPadId(), (int) tok.visionStartId(), (int) tok.visionEndId(),
                (int) tok.endOfTextId(), (int) tok.imEndId()));
        Qwen2VLConfig.VisionConfig v = tiny.vision();
        Qwen2VLConfig.TextConfig t = tiny.text();
        return new Qwen2VLConfig(
                new Qwen2VLConfig.VisionConfig(v.depth(), v.hiddenSize(), v.intermediateSize(), v.numHeads(),
                        v.outHiddenSize(), v.patchSize(), v.spatialMergeSize(), v.temporalPatchSize(), v.windowSize(),
                        v.fullAttentionBlocks(), v.inChannels(), v.tokensPerSecond(), 0.15),
                new Qwen2VLConfig.TextConfig(t.vocabSize(), t.hiddenSize(), t.intermediateSize(), 2, t.numHeads(),
                        t.numKvHeads(), t.rmsNormEps(), t.ropeTheta(), t.mropeSection(), t.tieWordEmbeddings(),
                        t.maxPositionEmbeddings(), 0.15),
                tiny.tokens());
    }

    private static Sample mcq(String id, String image, String question, List<String> options, String answer,
            String subset) {
        return new Sample(id, List.of(image), question, options, answer, options.get(Sample.letterIndex(answer)),
                new Sample.Reasoning(null, "reasoning"), null, null, Task.MCQ, subset, Map.of());
    }

    /** A pink field with purple "nuclei" on a grid, enough for a thumbnail to show something. */
    static void drawTile(Path file, int width, int height, Color background, Color nuclei, int seed)
            throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, width, height);
        g.setColor(nuclei);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < 25; i++) {
            int d = 4 + r.nextInt(6);
            g.fillOval(r.nextInt(width), r.nextInt(height), d, d);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}

package org.pathoreason.train.sft;

import org.pathoreason.data.Task;

import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.BpeTokenizerTrainer;
import org.pathoreason.text.SystemPrompts;
import org.pathoreason.text.Tokenizer;

/**
 * Small data and a tiny model for the SFT tests: four "tissues" told apart by colour, multiple-choice questions
 * about them with reasoning, 56x56 images (16 patches, 4 merged tokens each), a BPE tokenizer trained on the
 * texts and a randomly initialised tiny Qwen2.5-VL.
 */
public final class SftFixtures {

    public static final List<String> DIAGNOSES = List.of("Acute inflammation", "Chronic inflammation",
            "Granulomatous inflammation", "Squamous cell carcinoma");
    public static final List<String> FINDINGS = List.of("neutrophils", "plasma cells", "epithelioid histiocytes",
            "keratin pearls");
    public static final Color[] COLOURS = {new Color(220, 60, 60), new Color(60, 60, 220), new Color(60, 180, 60),
        new Color(200, 160, 40)};

    private static Tokenizer tokenizer;

    private SftFixtures() {
    }

    /** A tokenizer trained once per JVM on the fixture texts and the system prompts (shared, never closed). */
    public static synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            List<String> corpus = new ArrayList<>();
            for (int rep = 0; rep < 20; rep++) {
                for (int k = 0; k < 4; k++) {
                    corpus.add(question(k) + "\n" + reasoning(k).think() + "\n" + reasoning(k).observe() + "\n");
                    corpus.add("The tissue shows " + FINDINGS.get(k) + " consistent with "
                            + DIAGNOSES.get(k).toLowerCase() + ".\n");
                }
                corpus.add(SystemPrompts.PATHO_R1_COT + "\n");
                corpus.add(SystemPrompts.PATHREASONER_OBSERVE + "\n");
                corpus.add("You are a helpful assistant. Describe this pathology image. Which of these?\n");
            }
            tokenizer = new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults().withVocabSize(700))
                    .train(corpus).toTokenizer();
        }
        return tokenizer;
    }

    public static String question(int k) {
        return "Which diagnosis fits this tissue?";
    }

    public static Sample.Reasoning reasoning(int k) {
        return new Sample.Reasoning("The tissue shows " + FINDINGS.get(k) + ".",
                FINDINGS.get(k) + " point to " + DIAGNOSES.get(k).toLowerCase() + ".");
    }

    /** Multiple-choice sample {@code i} of class {@code k} with its image. */
    public static Sample mcq(int i, int k, String image) {
        return new Sample("s" + i, List.of(image), question(k), DIAGNOSES, Sample.letter(k), DIAGNOSES.get(k),
                reasoning(k), "The tissue shows " + FINDINGS.get(k) + " consistent with "
                        + DIAGNOSES.get(k).toLowerCase() + ".", List.of(), Task.MCQ, "diagnosis", Map.of());
    }

    /** A 56x56 PNG in class {@code k}'s colour with a little per-image texture. */
    public static Path image(Path file, int k, int variant) {
        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
        Color c = COLOURS[k];
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                int d = ((x * 7 + y * 3 + variant * 11) % 17) - 8;
                img.setRGB(x, y, new Color(clamp(c.getRed() + d), clamp(c.getGreen() + d), clamp(c.getBlue() - d))
                        .getRGB());
            }
        }
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** {@code n} samples cycling through the classes, images under {@code dir/images}, written to dir/name. */
    public static Path dataset(Path dir, String name, int n) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i % 4;
            String rel = "images/" + name + "-" + i + ".png";
            image(dir.resolve(rel), k, i);
            samples.add(mcq(i, k, rel));
        }
        Path file = dir.resolve(name);
        SampleJsonl.write(file, samples);
        return file;
    }

    /** The tiny architecture with the fixture tokenizer's vocabulary and special ids. */
    public static Qwen2VLConfig config() {
        Tokenizer tok = tokenizer();
        Qwen2VLConfig.SpecialTokenIds ids = new Qwen2VLConfig.SpecialTokenIds((int) tok.imagePadId(),
                (int) tok.videoPadId(), (int) tok.visionStartId(), (int) tok.visionEndId(),
                (int) tok.endOfTextId(), (int) tok.imEndId());
        return Qwen2VLConfig.tiny(tok.vocabSize(), ids);
    }

    /** A random tiny model with the fixture tokenizer, saved as a checkpoint folder. */
    public static Path modelDir(Path dir, long seed) {
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.random(config(), seed, root)) {
            model.save(dir);
        }
        tokenizer().save(dir.resolve("tokenizer.json"));
        return dir;
    }
}

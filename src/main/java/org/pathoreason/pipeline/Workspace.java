package org.pathoreason.pipeline;

import org.pathoreason.data.Task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.synth.SplitPlan;
import org.pathoreason.data.synth.SynthGenerator;
import org.pathoreason.data.synth.SynthOptions;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.text.BpeModel;
import org.pathoreason.text.BpeTokenizerTrainer;
import org.pathoreason.data.PromptBuilder;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.text.TokenizerConfig;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * A pipeline's output folder and what every stage shares:
 * <pre>
 * OUT/pipeline.json        the settings (a resumed pipeline must have the same)
 * OUT/world/               the synthetic world: images, pretrain/sft/rl/val/test JSONL, graph.json, card
 * OUT/data/                the training splits as the stages read them (reasoning shortened when asked)
 * OUT/tokenizer/           tokenizer.json trained on the world's training text
 * OUT/STAGE/               one run folder per stage
 * </pre>
 * Each part is made once; a second {@link #prepare} finds it and goes on.
 */
public final class Workspace {

    public static final String SETTINGS = "pipeline.json";
    public static final String WORLD = "world";
    public static final String DATA = "data";
    public static final String TOKENIZER = "tokenizer";
    /** The splits stages train on; the test split is always read from the world as it is. */
    static final List<String> TRAINING_SPLITS = List.of("pretrain", "sft", "rl");

    private final Path root;
    private final PipelineSettings settings;

    public Workspace(Path root, PipelineSettings settings) {
        this.root = root.toAbsolutePath().normalize();
        this.settings = settings;
    }

    public Path root() {
        return root;
    }

    public PipelineSettings settings() {
        return settings;
    }

    public Path worldDir() {
        return root.resolve(WORLD);
    }

    public Path graphFile() {
        return worldDir().resolve(SynthGenerator.GRAPH_FILE);
    }

    public Path testFile() {
        return worldDir().resolve("test.jsonl");
    }

    public Path tokenizerFile() {
        return root.resolve(TOKENIZER).resolve("tokenizer.json");
    }

    public Path stageDir(String stage) {
        return root.resolve(stage);
    }

    /** The file a stage trains on: {@code data/SPLIT.jsonl}. */
    public Path dataFile(String split) {
        if (!TRAINING_SPLITS.contains(split)) {
            throw new IllegalArgumentException("unknown training split '" + split + "', expected one of "
                    + TRAINING_SPLITS);
        }
        return root.resolve(DATA).resolve(split + ".jsonl");
    }

    /**
     * Makes what is missing: checks the settings against an earlier run in the folder, then the world, the
     * training data and the tokenizer.
     *
     * @param progress draw the world's rendering progress bar
     * @throws IllegalStateException when the folder holds a pipeline made with other settings
     */
    public void prepare(PrintStream log, boolean progress) {
        checkSettings();
        if (!Files.isRegularFile(worldDir().resolve(SynthGenerator.CARD_FILE))) {
            long t0 = System.nanoTime();
            SynthGenerator.Result r = new SynthGenerator(SynthWorld.builtIn(), synthOptions(), splitPlans())
                    .progressBar(progress)
                    .generate(worldDir());
            int total = r.splits().values().stream().mapToInt(List::size).sum();
            log.printf(Locale.ROOT, "world: %d samples with %dx%d images in %s (%.1f s): %s%n", total,
                    settings.imageSize(), settings.imageSize(), worldDir(), seconds(t0), splitCounts(r.splits()));
        } else {
            log.printf(Locale.ROOT, "world: found %s%n", worldDir());
        }
        for (String split : TRAINING_SPLITS) {
            if (!Files.isRegularFile(dataFile(split))) {
                writeTrainingSplit(split);
            }
        }
        if (!Files.isRegularFile(tokenizerFile())) {
            long t0 = System.nanoTime();
            BpeModel model = new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults()
                    .withVocabSize(settings.tokenizerVocab())).train(corpus());
            AtomicFiles.writeString(tokenizerFile(), model.toJsonString());
            try (Tokenizer tokenizer = Tokenizer.load(tokenizerFile())) {
                TokenizerConfig.write(tokenizerFile().resolveSibling("tokenizer_config.json"),
                        TokenizerConfig.build(tokenizer));
                log.printf(Locale.ROOT, "tokenizer: byte-level BPE, %d ids, trained on the world's training text "
                        + "(%.1f s)%n", tokenizer.vocabSize(), seconds(t0));
            }
        } else {
            log.printf(Locale.ROOT, "tokenizer: found %s%n", tokenizerFile());
        }
    }

    private void checkSettings() {
        Path file = root.resolve(SETTINGS);
        JsonNode current;
        JsonNode saved = null;
        try {
            // compared as parsed text: a long read back from a file is an int node
            current = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(settings));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (Files.isRegularFile(file)) {
            try {
                saved = Json.MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            if (!saved.equals(current)) {
                throw new IllegalStateException(root + " holds a pipeline made with other settings (see " + file
                        + "; now " + current + "); give another --out or delete the folder");
            }
            return;
        }
        try {
            Files.createDirectories(root);
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(current) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private SynthOptions synthOptions() {
        return SynthOptions.defaults().withSeed(settings.seed()).withScale(1.0).withImageSize(settings.imageSize());
    }

    /** The world's standard splits (question mixes, held-out combinations) at this pipeline's sizes. */
    List<SplitPlan> splitPlans() {
        Map<String, Integer> sizes = Map.of("pretrain", settings.pretrainSamples(), "sft", settings.sftSamples(),
                "rl", settings.rlSamples(), "val", settings.valSamples(), "test", settings.testSamples());
        List<SplitPlan> plans = new ArrayList<>();
        for (SplitPlan p : SplitPlan.standard()) {
            Integer n = sizes.get(p.name());
            if (n == null) {
                throw new IllegalStateException("the synthetic world has a split '" + p.name()
                        + "' the pipeline does not size");
            }
            plans.add(p.withBaseCount(n));
        }
        return plans;
    }

    /** Copies a world split into {@code data/}, images pointing into the world, reasoning shortened if asked. */
    private void writeTrainingSplit(String split) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : SampleJsonl.read(worldDir().resolve(split + ".jsonl"))) {
            List<String> images = s.images().stream().map(i -> "../" + WORLD + "/" + i).toList();
            Sample moved = s.withImages(images);
            out.add(settings.conciseReasoning() ? ConciseReasoning.apply(moved, settings.optionNaming()) : moved);
        }
        try {
            Files.createDirectories(dataFile(split).getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SampleJsonl.write(dataFile(split), out);
    }

    /**
     * The tokenizer's corpus: what the model will read and write in training, i.e. the training splits' prompts
     * (as the chat template's user turns show them), captions, reasoning and answers. The test split is left out.
     */
    List<String> corpus() {
        List<String> texts = new ArrayList<>();
        texts.add(PromptStyle.COT.systemPrompt());
        PromptBuilder cot = new PromptBuilder(PromptStyle.COT);
        PromptBuilder plain = new PromptBuilder(PromptStyle.PLAIN);
        for (String split : TRAINING_SPLITS) {
            for (Sample s : SampleJsonl.read(dataFile(split))) {
                texts.add(Task.CAPTION.equals(s.task()) ? plain.userText(s) : cot.userText(s));
                add(texts, s.caption());
                add(texts, s.answerText());
                if (s.reasoning() != null) {
                    add(texts, s.reasoning().observe());
                    add(texts, s.reasoning().think());
                }
            }
        }
        return texts;
    }

    private static void add(List<String> texts, String text) {
        if (text != null && !text.isBlank()) {
            texts.add(text);
        }
    }

    private static String splitCounts(Map<String, List<Sample>> splits) {
        List<String> parts = new ArrayList<>();
        splits.forEach((k, v) -> parts.add(k + " " + v.size()));
        return String.join(", ", parts);
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}

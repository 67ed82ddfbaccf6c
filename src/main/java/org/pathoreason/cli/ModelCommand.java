package org.pathoreason.cli;

import org.pathoreason.model.GenerationConfig;
import org.pathoreason.model.CheckpointBundle;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pathoreason.engine.Engines;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.CheckpointContents;
import org.pathoreason.model.io.Provenance;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.text.TokenizerConfig;
import org.pathoreason.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason model init}: model checkpoints. */
@Command(name = "model", description = "Create model checkpoints.", mixinStandardHelpOptions = true,
        subcommands = {ModelCommand.Init.class})
public final class ModelCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Writes a randomly initialised Qwen2.5-VL checkpoint directory. */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Write a randomly initialised Qwen2.5-VL checkpoint (config, weights, tokenizer files, "
                    + "preprocessor and generation configs, provenance).")
    static final class Init implements Runnable {

        @Spec
        CommandSpec spec;

        @Mixin
        EngineMixin engine;

        @Option(names = "--config", defaultValue = "tiny", paramLabel = "tiny|FILE",
                description = "'tiny' (a few million parameters) or a config.json (default: ${DEFAULT-VALUE}).")
        String config;

        @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
                description = "tokenizer.json (or a folder holding one); sets the vocabulary and special token ids.")
        Path tokenizer;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Checkpoint directory to write.")
        Path out;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--max-pixels", paramLabel = "N", description = "Largest image area the processor keeps "
                + "(default: 448*448 for tiny, transformers' 28*28*1280 otherwise).")
        Long maxPixels;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            engine.start();
            try (Tokenizer tok = Tokenizer.load(tokenizer); NDManager root = Engines.newManager()) {
                Qwen2VLConfig.SpecialTokenIds ids = new Qwen2VLConfig.SpecialTokenIds((int) tok.imagePadId(),
                        (int) tok.videoPadId(), (int) tok.visionStartId(), (int) tok.tokenId("<|vision_end|>"),
                        (int) tok.endOfTextId(), (int) tok.imEndId());
                boolean tiny = "tiny".equals(config);
                Qwen2VLConfig cfg = tiny ? Qwen2VLConfig.tiny(tok.vocabSize(), ids) : Qwen2VLConfig.read(Path.of(config));
                if (cfg.text().vocabSize() < tok.vocabSize()) {
                    throw new ModelException(config + ": vocab_size " + cfg.text().vocabSize() + " is smaller than the "
                            + "tokenizer's " + tok.vocabSize() + " ids");
                }
                PreprocessorConfig pre = PreprocessorConfig.defaults();
                long max = maxPixels != null ? maxPixels : tiny ? 448L * 448 : pre.maxPixels();
                pre = pre.withPixelBounds(Math.min(pre.minPixels(), max), max);
                ObjectNode generation = GenerationConfig.greedy(tok.endOfTextId(), CheckpointBundle.chatStopIds(tok)).toJson();
                Path tokenizerFile = Files.isDirectory(tokenizer) ? tokenizer.resolve("tokenizer.json") : tokenizer;
                long t0 = System.nanoTime();
                try (Qwen2VLModel model = Qwen2VLModel.random(cfg, seed, root)) {
                    model.saveCheckpoint(out, new CheckpointContents()
                            .provenance(Provenance.of("init").withSeed(seed))
                            .tokenizerJson(tokenizerFile)
                            .tokenizerConfig(TokenizerConfig.build(tok))
                            .preprocessorConfig(pre.toJson())
                            .generationConfig(generation));
                }
                w.printf("wrote %s: Qwen2.5-VL %s, %,d parameters, vocabulary %d, seed %d (%.1f s)%n", out,
                        tiny ? "tiny" : config, cfg.parameterCount(), cfg.text().vocabSize(), seed,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}

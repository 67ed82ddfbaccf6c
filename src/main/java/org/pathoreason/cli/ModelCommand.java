package org.pathoreason.cli;

import org.pathoreason.model.GenerationConfig;
import org.pathoreason.model.CheckpointBundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.CheckpointContents;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.qwen2vl.RandomWeights;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.lora.LoraAdapter;
import org.pathoreason.model.lora.LoraMerge;
import org.pathoreason.model.io.Provenance;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.text.TokenizerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pathoreason model init|merge-lora}: model checkpoints. */
@Command(name = "model", description = "Create model checkpoints.", mixinStandardHelpOptions = true,
        subcommands = {ModelCommand.Init.class, ModelCommand.MergeLora.class})
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

        @Option(names = "--config", defaultValue = "tiny", paramLabel = "tiny|bench-0.5b|qwen2.5-vl-3b|qwen2.5-vl-7b|FILE",
                description = "'tiny' (a few million parameters), a published architecture (qwen2.5-vl-3b, "
                        + "qwen2.5-vl-7b: the config.json values of Qwen2.5-VL-3B/7B-Instruct, with the special token "
                        + "ids of --tokenizer), 'bench-0.5b' (Qwen2.5-0.5B's language model with a 4-block "
                        + "Qwen2.5-VL-width vision tower, for benchmarks) or a config.json (default: ${DEFAULT-VALUE}).")
        String config;

        @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
                description = "tokenizer.json (or a folder holding one); sets the vocabulary and special token ids.")
        Path tokenizer;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Checkpoint directory to write.")
        Path out;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--dtype", defaultValue = "f32", paramLabel = "bf16|f32",
                description = "Weight type written (default: ${DEFAULT-VALUE}); bf16 as the published checkpoints.")
        MergeDtype dtype;

        @Option(names = "--max-pixels", paramLabel = "N", description = "Largest image area the processor keeps "
                + "(default: 448*448 for tiny, transformers' 28*28*1280 otherwise).")
        Long maxPixels;

        @Override
        public void run() {
            PrintWriter w = spec.commandLine().getOut();
            try (Tokenizer tok = Tokenizer.load(tokenizer)) {
                Qwen2VLConfig.SpecialTokenIds ids = new Qwen2VLConfig.SpecialTokenIds((int) tok.imagePadId(),
                        (int) tok.videoPadId(), (int) tok.visionStartId(), (int) tok.tokenId("<|vision_end|>"),
                        (int) tok.endOfTextId(), (int) tok.imEndId());
                boolean tiny = "tiny".equals(config);
                Qwen2VLConfig.Preset preset = Qwen2VLConfig.Preset.byId(config);
                Qwen2VLConfig cfg = tiny ? Qwen2VLConfig.tiny(tok.vocabSize(), ids)
                        : preset != null ? preset.config(ids) : Qwen2VLConfig.read(Path.of(config));
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
                // drawn tensor by tensor while the files are written: no copy of the whole model is ever held
                ObjectNode configJson = cfg.toJson();
                if (dtype == MergeDtype.bf16) {
                    configJson.put("torch_dtype", "bfloat16");
                }
                try {
                    CheckpointDir.write(out, new CheckpointContents()
                            .config(configJson)
                            .weights(RandomWeights.writer(cfg, seed, dtype.dtype))
                            .provenance(Provenance.of("init").withSeed(seed))
                            .tokenizerJson(tokenizerFile)
                            .tokenizerConfig(TokenizerConfig.build(tok))
                            .preprocessorConfig(pre.toJson())
                            .generationConfig(generation));
                } catch (java.io.IOException e) {
                    throw new ModelException("cannot write checkpoint " + out + ": " + e.getMessage(), e);
                }
                w.printf("wrote %s: Qwen2.5-VL %s, %,d parameters in %s, vocabulary %d, seed %d (%.1f s)%n", out,
                        config, cfg.parameterCount(), dtype.dtype.safetensorsName(), cfg.text().vocabSize(), seed,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /** Weight types a merged checkpoint can be written in. */
    enum MergeDtype {
        bf16(DType.BF16), f32(DType.F32);

        final DType dtype;

        MergeDtype(DType dtype) {
            this.dtype = dtype;
        }
    }

    /** Merges a LoRA adapter (PEFT layout) into a base checkpoint and writes a complete checkpoint folder. */
    @Command(name = "merge-lora", mixinStandardHelpOptions = true,
            description = "Merge a LoRA adapter (PEFT's adapter_config.json + adapter_model.safetensors) into a base "
                    + "checkpoint: W + scaling * B @ A for each adapted layer, written as a complete Hugging Face "
                    + "checkpoint folder (the base's other files copied; pathoreason.json and merged_adapter.json "
                    + "record the base and the adapter).")
    static final class MergeLora implements Runnable {

        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "Base checkpoint folder.")
        Path model;

        @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "LoRA adapter folder.")
        Path adapter;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Merged checkpoint to write.")
        Path out;

        @Option(names = "--dtype", paramLabel = "bf16|f32",
                description = "Weight type of the merged checkpoint (default: each tensor's type in the base).")
        MergeDtype dtype;

        @Override
        public void run() {
            long t0 = System.nanoTime();
            LoraAdapter lora = LoraAdapter.read(adapter);
            int changed = LoraMerge.merge(model, lora, out, dtype == null ? null : dtype.dtype);
            spec.commandLine().getOut().printf("wrote %s: %s merged into %s, %d weights changed, scaling %s (%.1f s)%n",
                    out, lora, model, changed, lora.config().useRslora() ? "alpha/sqrt(r)" : "alpha/r",
                    (System.nanoTime() - t0) / 1e9);
        }
    }
}

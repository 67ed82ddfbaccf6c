package org.pathoreason.pipeline;

import org.pathoreason.model.GenerationConfig;
import org.pathoreason.model.CheckpointBundle;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.engine.Engines;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.model.io.CheckpointContents;
import org.pathoreason.model.io.Provenance;
import org.pathoreason.model.qwen2vl.Qwen2VLConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.text.TokenizerConfig;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.train.RunInfo;
import org.pathoreason.train.rl.GrpoConfig;
import org.pathoreason.train.rl.GrpoRun;
import org.pathoreason.train.rl.GrpoTrainer;
import org.pathoreason.train.sft.SftConfig;
import org.pathoreason.train.sft.SftTrainer;
import org.pathoreason.train.sft.Stage;
import org.pathoreason.util.AtomicFiles;

/**
 * Runs the trainer of one stage into its run folder ({@code run.json}, {@code metrics.jsonl}, {@code final/}),
 * the way the {@code model init}, {@code train pretrain|sft} and {@code train grpo} commands do. A run folder with
 * checkpoints but no {@code final/} is resumed by the trainers themselves.
 */
final class StageTrainers {

    static final String FINAL = "final";
    static final String METRICS = "metrics.jsonl";

    private StageTrainers() {
    }

    /** What {@code run.json} records of a randomly initialised model. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record InitConfig(String architecture, long seed, long maxPixels) {
    }

    /** A tiny Qwen2.5-VL with random weights and the workspace's tokenizer, as {@code model init} writes it. */
    static void init(Path tokenizerFile, long seed, Path runDir) {
        InitConfig cfg = new InitConfig("tiny", seed, 448L * 448);
        ConfigLoader.Resolved<InitConfig> resolved = ConfigLoader.load(InitConfig.class, cfg, null, List.of());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("tokenizer", tokenizerFile.toString());
        try (Tokenizer tok = Tokenizer.load(tokenizerFile); NDManager root = Engines.newManager()) {
            Qwen2VLConfig.SpecialTokenIds ids = new Qwen2VLConfig.SpecialTokenIds((int) tok.imagePadId(),
                    (int) tok.videoPadId(), (int) tok.visionStartId(), (int) tok.visionEndId(),
                    (int) tok.endOfTextId(), (int) tok.imEndId());
            Qwen2VLConfig config = Qwen2VLConfig.tiny(tok.vocabSize(), ids);
            extra.put("parameters", config.parameterCount());
            PreprocessorConfig pre = PreprocessorConfig.defaults();
            pre = pre.withPixelBounds(Math.min(pre.minPixels(), cfg.maxPixels()), cfg.maxPixels());
            ObjectNode generation = GenerationConfig.greedy(tok.endOfTextId(), CheckpointBundle.chatStopIds(tok)).toJson();
            RunInfo.write(runDir, StageKind.INIT.id(), resolved, extra);
            AtomicFiles.writeString(runDir.resolve(METRICS), "");
            try (Qwen2VLModel model = Qwen2VLModel.random(config, seed, root)) {
                model.saveCheckpoint(runDir.resolve(FINAL), new CheckpointContents()
                        .provenance(Provenance.of(StageKind.INIT.id()).withSeed(seed))
                        .tokenizerJson(tokenizerFile)
                        .tokenizerConfig(TokenizerConfig.build(tok))
                        .preprocessorConfig(pre.toJson())
                        .generationConfig(generation));
            }
        }
    }

    /** Continued pretraining or SFT with {@link SftTrainer}. */
    static void supervised(Stage stage, List<String> overrides, Path data, Path parentModel, Path runDir,
            boolean progress) {
        ConfigLoader.Resolved<SftConfig> resolved = SftConfig.load(null, overrides);
        new SftTrainer(stage, resolved, data, parentModel, runDir).progressBar(progress).run();
    }

    /**
     * GRPO with {@link GrpoTrainer}, wired as {@code train grpo} wires it: prompts built as in SFT (the
     * {@code rl.prompt_style}, chain of thought by default), rewards from the {@code reward:} section, checkpoints
     * that are loadable model folders.
     */
    static void grpo(List<String> overrides, Path data, Path parentModel, Path runDir, boolean progress) {
        new GrpoRun(GrpoConfig.load("grpo", null, overrides), data, parentModel, runDir, progress).run();
    }

    /** The steps of a finished run's metrics file (0 for none). */
    static int loggedSteps(Path runDir) {
        Path file = runDir.resolve(METRICS);
        return Files.isRegularFile(file) ? MetricsLog.read(file).size() : 0;
    }
}

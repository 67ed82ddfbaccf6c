package org.pathoreason.train.rl;

import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.WeightPrecision;
import org.pathoreason.data.PromptEncoder;
import org.pathoreason.model.ModelRegistry;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.train.TrajectoryMasking;

import org.pathoreason.train.TrainingData;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.io.CheckpointExtras;
import org.pathoreason.model.io.Provenance;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.RunInfo;
import org.pathoreason.train.BadSampleLog;
import org.pathoreason.image.ImageCache;
import org.pathoreason.train.OnBadSample;

/**
 * A GRPO/DAPO run from files, as {@code train grpo|dapo} and the pipelines start one: the prompts of a data file
 * (rendered as in SFT, {@code rl.prompt_style}), the rewards of the config's {@code reward:} section, the starting
 * policy from a model folder, and checkpoints that are loadable model folders (weights, config, tokenizer,
 * processor, provenance). The engine must be started by the caller.
 */
public final class GrpoRun {

    private final ConfigLoader.Resolved<GrpoConfig> resolved;
    private final Path data;
    private final Path model;
    private final Path out;
    private final boolean progress;

    /**
     * @param resolved the run's configuration (recorded in {@code run.json})
     * @param data prompts with gold answers (canonical JSONL or another format the readers know)
     * @param model the starting policy's folder; also the frozen reference when {@code rl.kl_coef > 0}
     * @param out the run folder; a folder with checkpoints is resumed (it must have been started on the same data)
     * @param progress draw a progress bar
     */
    public GrpoRun(ConfigLoader.Resolved<GrpoConfig> resolved, Path data, Path model, Path out, boolean progress) {
        this.resolved = Objects.requireNonNull(resolved, "resolved");
        this.data = Objects.requireNonNull(data, "data");
        this.model = Objects.requireNonNull(model, "model");
        this.out = Objects.requireNonNull(out, "out");
        this.progress = progress;
    }

    /** Trains (or resumes) to the configured number of steps. */
    public GrpoTrainer.Result run() {
        GrpoConfig cfg = resolved.config();
        RlOptions rl = cfg.rl();
        String fingerprint = TrainingData.fingerprint(data);
        checkSameData(fingerprint);
        List<Sample> samples = readSamples();
        Path imageRoot = data.toAbsolutePath().getParent();
        try (RewardFactory.Built reward = RewardFactory.build(cfg.reward(), rl.maxCompletionLength(), Path.of(""),
                     imageRoot);
             NDManager root = Engines.newManager();
             CheckpointBundle checkpoint = CheckpointBundle.open(model, root,
                     CheckpointBundle.Options.weights(WeightPrecision.FLOAT32))) {
            VisionLanguageModel policy = checkpoint.model();
            Tokenizer tokenizer = checkpoint.tokenizer();
            ChatTemplate template = checkpoint.chatTemplate();
            QwenImageProcessor processor = checkpoint.processor();
            PromptEncoder encoder = promptEncoder(checkpoint, PromptStyle.parse(rl.promptStyle()), imageRoot);
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("data", data.toAbsolutePath().toString());
            provenance.put("data_fingerprint", fingerprint);
            provenance.put("model", model.toAbsolutePath().toString());
            provenance.put("samples", samples.size());
            provenance.put("total_steps", cfg.train().totalSteps(samples.size()));
            CheckpointExtras extras = checkpoint.extras(processor);
            Provenance made = Provenance.of(rl.algorithm()).withSeed(cfg.train().seed());
            Provenance stamped = fingerprint == null ? made : made.withDataFingerprint(fingerprint);
            return GrpoTrainer.builder().setConfig(cfg).setPolicy(policy).setPrompts(encoder::encode)
                    .setTokenDecoder(ids -> tokenizer.decode(ids, true))
                    .setStopTokenIds(checkpoint.stopIds())
                    .optPadId(tokenizer.padId())
                    .setReward(reward.reward()).setSamples(samples).setRunDir(out).setManager(root)
                    .optReference(() -> ModelRegistry.load(model, VisionLanguageModel.class, root))
                    .optBaseModel(model)
                    .optCheckpointFiles(dir -> extras.write(dir, stamped))
                    .optRunInfo(resolved, provenance)
                    .optProgress(progress)
                    .build()
                    .train();
        }
    }

    /**
     * The prompts of an RL run: the checkpoint's encoder, with guidance removed from questions as SFT removes it,
     * so that RL prompts are SFT's prompts.
     */
    public static PromptEncoder promptEncoder(CheckpointBundle checkpoint, PromptStyle style, Path imageRoot) {
        TrajectoryMasking masking = TrajectoryMasking.defaults();
        return new PromptEncoder(checkpoint.tokenizer(), new ImageCache(checkpoint.processor(), 512L << 20),
                checkpoint.chatTemplate(), style, imageRoot, s -> s.withQuestion(masking.question(s).text()));
    }

    /** Samples with absolute image paths (the rewards and the prompt encoder need not know the data folder). */
    private List<Sample> readSamples() {
        List<Sample> samples = new ArrayList<>();
        for (TrainingData.Located s : TrainingData.read(data, "auto", new BadSampleLog(OnBadSample.STOP))) {
            Sample x = s.sample();
            List<String> images = s.imageFiles().stream().map(Path::toString).toList();
            samples.add(x.withImages(images));
        }
        if (samples.isEmpty()) {
            throw new DataException(data + ": no samples");
        }
        return samples;
    }

    /** A resumed run must have its data: the fingerprint in {@code run.json} must match. */
    private void checkSameData(String fingerprint) {
        if (!Files.isRegularFile(out.resolve(RunInfo.FILE)) || !Files.isDirectory(out.resolve("checkpoints"))) {
            return;
        }
        String saved = RunInfo.read(out).path("provenance").path("data_fingerprint").asText(null);
        if (saved != null && fingerprint != null && !saved.equals(fingerprint)) {
            throw new IllegalArgumentException(out + " was started on other data (" + RunInfo.FILE
                    + " has data_fingerprint " + saved + ", " + data + " has " + fingerprint
                    + "); give another --out");
        }
    }


}

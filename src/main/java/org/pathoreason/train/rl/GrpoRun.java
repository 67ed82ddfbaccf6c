package org.pathoreason.train.rl;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.CheckpointExtras;
import org.pathoreason.model.io.Provenance;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.SpecialTokens;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.text.TokenizerConfig;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.RunInfo;
import org.pathoreason.train.sft.AnswerStyle;
import org.pathoreason.train.sft.BadSampleLog;
import org.pathoreason.train.sft.ExampleBuilder;
import org.pathoreason.train.sft.ImageCache;
import org.pathoreason.train.sft.OnBadSample;
import org.pathoreason.train.sft.SftData;
import org.pathoreason.train.sft.SftOptions;
import org.pathoreason.train.sft.Stage;
import org.pathoreason.train.sft.TargetFormat;

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
        String fingerprint = SftData.fingerprint(data);
        checkSameData(fingerprint);
        List<Sample> samples = readSamples();
        Path imageRoot = data.toAbsolutePath().getParent();
        try (Tokenizer tokenizer = Tokenizer.load(model.resolve("tokenizer.json"));
             RewardFactory.Built reward = RewardFactory.build(cfg.reward(), rl.maxCompletionLength(), Path.of(""),
                     imageRoot);
             NDManager root = Engines.newManager();
             Qwen2VLModel policy = Qwen2VLModel.load(model, root)) {
            checkVocabulary(policy, tokenizer);
            QwenImageProcessor processor = new QwenImageProcessor(preprocessorConfig());
            ChatTemplate template = ChatTemplate.QWEN2_5_VL;
            // only the prompt half of the builder is used: the answer style and target format do not matter here
            ExampleBuilder prompts = new ExampleBuilder(tokenizer, template, new ExampleBuilder.Settings(Stage.SFT,
                    PromptStyle.parse(rl.promptStyle()), TargetFormat.THINK_ANSWER, AnswerStyle.LETTER,
                    SftOptions.defaults().masking(), rl.maxPromptLength() + rl.maxCompletionLength()));
            ChatPromptEncoder encoder = new ChatPromptEncoder(tokenizer, prompts::promptMessages, template,
                    new ImageCache(processor, 512L << 20), imageRoot);
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("data", data.toAbsolutePath().toString());
            provenance.put("data_fingerprint", fingerprint);
            provenance.put("model", model.toAbsolutePath().toString());
            provenance.put("samples", samples.size());
            provenance.put("total_steps", cfg.train().totalSteps(samples.size()));
            CheckpointExtras extras = new CheckpointExtras(model, policy.config().toJson(), tokenizer.json(),
                    () -> TokenizerConfig.build(tokenizer, template, TokenizerConfig.QWEN2_5_VL_MODEL_MAX_LENGTH),
                    () -> CheckpointExtras.generationConfig(tokenizer.padId(), tokenizer.imEndId(),
                            tokenizer.endOfTextId()),
                    processor.config().toJson());
            Provenance made = Provenance.of(rl.algorithm()).withSeed(cfg.train().seed());
            Provenance stamped = fingerprint == null ? made : made.withDataFingerprint(fingerprint);
            return GrpoTrainer.builder().setConfig(cfg).setPolicy(policy).setPromptEncoder(encoder)
                    .setTokenDecoder(ids -> tokenizer.decode(ids, true))
                    .setStopTokenIds(Set.of(tokenizer.imEndId(), tokenizer.endOfTextId()))
                    .optPadId(tokenizer.padId())
                    .setReward(reward.reward()).setSamples(samples).setRunDir(out).setManager(root)
                    .optReference(() -> Qwen2VLModel.load(model, root))
                    .optCheckpointFiles(dir -> extras.write(dir, stamped))
                    .optRunInfo(resolved, provenance)
                    .optProgress(progress)
                    .build()
                    .train();
        }
    }

    /** Samples with absolute image paths (the rewards and the prompt encoder need not know the data folder). */
    private List<Sample> readSamples() {
        List<Sample> samples = new ArrayList<>();
        for (SftData.Located s : SftData.read(data, "auto", new BadSampleLog(OnBadSample.STOP))) {
            Sample x = s.sample();
            List<String> images = s.imageFiles().stream().map(Path::toString).toList();
            samples.add(new Sample(x.id(), images, x.question(), x.options(), x.answer(), x.answerText(),
                    x.reasoning(), x.caption(), x.entities(), x.task(), x.subset(), x.meta()));
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

    private PreprocessorConfig preprocessorConfig() {
        Path file = model.resolve("preprocessor_config.json");
        try {
            return Files.isRegularFile(file) ? PreprocessorConfig.read(file) : PreprocessorConfig.defaults();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static void checkVocabulary(Qwen2VLModel model, Tokenizer tokenizer) {
        if (tokenizer.vocabSize() > model.vocabSize()) {
            throw new ModelException("the tokenizer has " + tokenizer.vocabSize() + " ids but the model's vocabulary "
                    + "has " + model.vocabSize() + " rows");
        }
        if (tokenizer.imagePadId() != model.config().tokens().imageTokenId()) {
            throw new ModelException("the tokenizer's " + SpecialTokens.IMAGE_PAD + " is id " + tokenizer.imagePadId()
                    + " but the model's image_token_id is " + model.config().tokens().imageTokenId());
        }
    }
}

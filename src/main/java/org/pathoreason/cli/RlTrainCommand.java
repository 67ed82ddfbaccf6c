package org.pathoreason.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
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
import org.pathoreason.train.rl.ChatPromptEncoder;
import org.pathoreason.train.rl.GrpoConfig;
import org.pathoreason.train.rl.GrpoTrainer;
import org.pathoreason.train.rl.RewardFactory;
import org.pathoreason.train.rl.RlOptions;
import org.pathoreason.train.sft.AnswerStyle;
import org.pathoreason.train.sft.BadSampleLog;
import org.pathoreason.train.sft.ExampleBuilder;
import org.pathoreason.train.sft.ImageCache;
import org.pathoreason.train.sft.OnBadSample;
import org.pathoreason.train.sft.SftData;
import org.pathoreason.train.sft.SftOptions;
import org.pathoreason.train.sft.Stage;
import org.pathoreason.train.sft.TargetFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pathoreason train grpo|dapo ...}: reinforcement learning of a reasoning policy with group-relative
 * advantages. {@link Grpo} and {@link Dapo} are the two subcommands (register both under {@code train}); they
 * differ only in their defaults ({@link GrpoConfig#grpo()}, {@link GrpoConfig#dapo()}), every switch of which can
 * be set alone with {@code --set rl.KEY=VALUE} or a config file.
 */
public abstract class RlTrainCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Prompts with gold answers: canonical sample JSONL (or the other formats the readers know).")
    Path data;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Starting policy (normally the SFT checkpoint): config.json, weights, tokenizer.json. "
                    + "With rl.kl_coef > 0 it is also loaded, frozen, as the reference.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Run folder, e.g. runs/NAME. Given again after an interruption, the run resumes from its "
                    + "newest checkpoint (same config and data required).")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar (logs only).")
    boolean noProgress;

    @Mixin
    TrainConfigMixin config;

    @Mixin
    EngineMixin engine;

    /** {@code grpo} or {@code dapo}. */
    abstract String algorithm();

    @Override
    public Integer call() {
        // the config is checked before the engine starts, so a typo fails at once
        ConfigLoader.Resolved<GrpoConfig> resolved = GrpoConfig.load(algorithm(), config.configFile(),
                config.overrides());
        GrpoConfig cfg = resolved.config();
        RlOptions rl = cfg.rl();
        String fingerprint = SftData.fingerprint(data);
        checkSameRun(fingerprint);
        engine.start();

        BadSampleLog bad = new BadSampleLog(OnBadSample.STOP);
        List<Sample> samples = new ArrayList<>();
        for (SftData.Located s : SftData.read(data, "auto", bad)) {
            samples.add(withAbsoluteImages(s));
        }
        if (samples.isEmpty()) {
            throw new DataException(data + ": no samples");
        }
        try (Tokenizer tokenizer = Tokenizer.load(model.resolve("tokenizer.json"));
             RewardFactory.Built reward = RewardFactory.build(cfg.reward(), rl.maxCompletionLength(), Path.of(""),
                     data.toAbsolutePath().getParent());
             NDManager root = Engines.newManager();
             Qwen2VLModel policy = Qwen2VLModel.load(model, root)) {
            checkVocabulary(policy, tokenizer);
            QwenImageProcessor processor = new QwenImageProcessor(preprocessorConfig());
            ChatTemplate template = ChatTemplate.QWEN2_5_VL;
            SftOptions sft = SftOptions.defaults();
            ExampleBuilder prompts = new ExampleBuilder(tokenizer, template, new ExampleBuilder.Settings(Stage.SFT,
                    PromptStyle.parse(rl.promptStyle()), TargetFormat.THINK_ANSWER, AnswerStyle.LETTER, sft.masking(),
                    rl.maxPromptLength() + rl.maxCompletionLength()));
            ChatPromptEncoder encoder = new ChatPromptEncoder(tokenizer, prompts::promptMessages, template,
                    new ImageCache(processor, 512L << 20), data.toAbsolutePath().getParent());

            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("data", data.toAbsolutePath().toString());
            provenance.put("data_fingerprint", fingerprint);
            provenance.put("model", model.toAbsolutePath().toString());
            provenance.put("samples", samples.size());
            provenance.put("total_steps", cfg.train().totalSteps(samples.size()));
            GrpoTrainer trainer = GrpoTrainer.builder().setConfig(cfg).setPolicy(policy).setPromptEncoder(encoder)
                    .setTokenDecoder(ids -> tokenizer.decode(ids, true))
                    .setStopTokenIds(Set.of(tokenizer.imEndId(), tokenizer.endOfTextId()))
                    .optPadId(tokenizer.padId())
                    .setReward(reward.reward()).setSamples(samples).setRunDir(out).setManager(root)
                    .optReference(() -> Qwen2VLModel.load(model, root))
                    .optCheckpointFiles(dir -> writeModelFiles(dir, policy, tokenizer, template, processor, cfg,
                            fingerprint))
                    .optRunInfo(resolved, provenance)
                    .optProgress(!noProgress)
                    .build();
            GrpoTrainer.Result r = trainer.train();
            PrintWriter o = spec.commandLine().getOut();
            Map<String, Object> m = r.lastMetrics();
            o.printf(Locale.ROOT, "%s done: step %d of %d%s; last step reward %s, accuracy %s, response length %s%n",
                    algorithm(), r.lastStep(), cfg.train().totalSteps(samples.size()),
                    r.startStep() > 0 ? " (resumed from step " + r.startStep() + ")" : "", fmt(m.get("reward")),
                    fmt(m.get("accuracy")), fmt(m.get("response_length")));
            o.println("model: " + r.finalDir());
            o.flush();
            return 0;
        }
    }

    private static String fmt(Object v) {
        return v instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : "n/a";
    }

    private static Sample withAbsoluteImages(SftData.Located s) {
        Sample x = s.sample();
        List<String> images = s.imageFiles().stream().map(Path::toString).toList();
        return new Sample(x.id(), images, x.question(), x.options(), x.answer(), x.answerText(), x.reasoning(),
                x.caption(), x.entities(), x.task(), x.subset(), x.meta());
    }

    /** A resumed run must have its data: the fingerprint in {@code run.json} must match. */
    private void checkSameRun(String fingerprint) {
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

    /** Everything of a loadable model folder besides the weights: config, tokenizer, processor, provenance. */
    private void writeModelFiles(Path dir, Qwen2VLModel policy, Tokenizer tokenizer, ChatTemplate template,
                                 QwenImageProcessor processor, GrpoConfig cfg, String fingerprint) throws IOException {
        Provenance p = Provenance.of(cfg.rl().algorithm()).withSeed(cfg.train().seed());
        if (fingerprint != null) {
            p = p.withDataFingerprint(fingerprint);
        }
        new CheckpointExtras(model, policy.config().toJson(), tokenizer.json(),
                () -> TokenizerConfig.build(tokenizer, template, TokenizerConfig.QWEN2_5_VL_MODEL_MAX_LENGTH),
                () -> CheckpointExtras.generationConfig(tokenizer.padId(), tokenizer.imEndId(),
                        tokenizer.endOfTextId()),
                processor.config().toJson()).write(dir, p);
    }

    /** {@code pathoreason train grpo}. */
    @Command(name = "grpo", mixinStandardHelpOptions = true,
            description = "GRPO: G completions per prompt (rl.group_size, 4), group-normalised advantages, clipped "
                    + "surrogate (0.2/0.2, dual clip 3), sequence-mean loss, KL to the frozen starting policy "
                    + "(k3, rl.kl_coef 0.04); rewards format + accuracy (reward.weights). Writes run.json, "
                    + "metrics.jsonl, checkpoints/step-N/, final/.")
    public static final class Grpo extends RlTrainCommand {
        @Override
        String algorithm() {
            return "grpo";
        }
    }

    /** {@code pathoreason train dapo}. */
    @Command(name = "dapo", mixinStandardHelpOptions = true,
            description = "DAPO: GRPO with clip-higher (0.2/0.28), token-level loss, dynamic sampling (groups whose "
                    + "accuracy does not vary are dropped and more are sampled, at most rl.max_generation_rounds "
                    + "rounds), soft overlong punishment (reward.weights.length) and no KL. Every switch can be set "
                    + "alone with --set.")
    public static final class Dapo extends RlTrainCommand {
        @Override
        String algorithm() {
            return "dapo";
        }
    }
}

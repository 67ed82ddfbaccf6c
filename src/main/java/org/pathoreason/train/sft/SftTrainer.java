package org.pathoreason.train.sft;

import org.pathoreason.engine.GradientRecording;

import org.pathoreason.engine.Scalars;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.WeightPrecision;
import org.pathoreason.model.VisionLanguageModel;

import org.pathoreason.train.TrainingData;
import org.pathoreason.train.BadSampleLog;

import org.pathoreason.image.ImageCache;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;

import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.model.ParameterGroup;
import org.pathoreason.model.io.CheckpointExtras;
import org.pathoreason.model.io.Provenance;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.train.Checkpoint;
import org.pathoreason.train.CheckpointManager;
import org.pathoreason.train.ConfigLoader;
import org.pathoreason.train.DataOrder;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.train.ParameterUpdater;
import org.pathoreason.train.RunInfo;
import org.pathoreason.train.StepRandom;
import org.pathoreason.train.TrainConfig;
import org.pathoreason.train.TrainState;
import org.pathoreason.train.TrainableWeights;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import org.pathoreason.util.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continued pretraining and supervised fine-tuning of a Qwen2.5-VL checkpoint, into a run folder:
 * <pre>
 * runs/NAME/run.json               resolved config, data and model provenance, bad-sample counts, resumes
 * runs/NAME/metrics.jsonl          one line per update: loss, lr, grad_norm, tokens_per_s, ...; val_loss lines
 * runs/NAME/checkpoints/step-N/    every save_every updates, the newest keep_last kept: a loadable model folder
 *                                  (weights, config, tokenizer, preprocessor config, provenance) plus optimiser
 *                                  state and trainer_state.json
 * runs/NAME/final/                 the trained model, a checkpoint folder without optimiser state
 * </pre>
 * With {@code lora.enabled} ({@link org.pathoreason.train.LoraOptions}) only LoRA adapters on the frozen base are
 * trained, and the checkpoints and {@code final/} hold the adapter in PEFT's layout instead of the weights.
 *
 * <p>Each update takes {@code grad_accum} micro-batches of {@code batch_size} examples in a seeded per-epoch order
 * ({@link DataOrder}); the loss is the mean negative log-likelihood over all target tokens of the update
 * ({@link SftLoss}); then global-norm clipping, the warmup-and-cosine (or other) learning rate and AdamW
 * ({@link ParameterUpdater}). Frozen parts ({@code freeze_vision}, {@code freeze_merger}, {@code freeze_language})
 * get no gradient.
 *
 * <p>Started again on a run folder that holds checkpoints, it resumes from the newest one exactly: weights,
 * optimiser moments and step counts, schedule position and data position are restored, and every random stream
 * derives from (seed, step), so the resumed run computes what the uninterrupted run would have. The config and the
 * data must be the ones the run was started with.
 *
 * <p>Memory: each micro-batch runs in its own sub-manager, closed at the end of the step; gradients live in the
 * parameters and are zeroed in place; nothing accumulates across steps.
 */
public final class SftTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SftTrainer.class);
    static final String FINAL = "final";
    static final String METRICS = "metrics.jsonl";

    /** Called after each optimiser update (tests use it to interrupt a run). */
    @FunctionalInterface
    public interface StepListener {
        void onStep(long step, Map<String, Object> metrics);
    }

    /**
     * What a run produced.
     *
     * @param steps updates done in total (the run's last step)
     * @param stepsThisRun updates done by this call (fewer than {@code steps} after a resume)
     * @param resumedFrom the checkpoint step this call resumed from, 0 for a fresh run
     * @param lastLoss training loss of the last update
     * @param lastValLoss the last validation loss, NaN when there is no validation set
     * @param trainExamples usable training examples
     * @param finalDir the final model folder
     */
    public record Result(long steps, long stepsThisRun, long resumedFrom, double lastLoss, double lastValLoss,
            int trainExamples, Path finalDir) {
    }

    private final Stage stage;
    private final ConfigLoader.Resolved<SftConfig> resolved;
    private final Path data;
    private final List<Sample> samples;
    private final Path imageBase;
    private final Path modelDir;
    private final CheckpointBundle given;
    private final Path runDir;
    private boolean progressBar = true;
    private StepListener listener = (step, metrics) -> { };

    /**
     * @param stage pretraining or SFT
     * @param resolved the resolved config (saved in {@code run.json})
     * @param data training data: canonical JSONL or any format the readers know
     * @param modelDir the checkpoint to start from (config, weights, {@code tokenizer.json}; optionally
     *     {@code preprocessor_config.json}, {@code tokenizer_config.json}, {@code generation_config.json})
     * @param runDir the run folder
     */
    public SftTrainer(Stage stage, ConfigLoader.Resolved<SftConfig> resolved, Path data, Path modelDir, Path runDir) {
        this(stage, resolved, Objects.requireNonNull(data, "data"), null, null,
                Objects.requireNonNull(modelDir, "modelDir"), null, runDir);
    }

    private SftTrainer(Stage stage, ConfigLoader.Resolved<SftConfig> resolved, Path data, List<Sample> samples,
            Path imageBase, Path modelDir, CheckpointBundle given, Path runDir) {
        this.stage = Objects.requireNonNull(stage, "stage");
        this.resolved = Objects.requireNonNull(resolved, "resolved");
        this.data = data;
        this.samples = samples;
        this.imageBase = imageBase;
        this.modelDir = modelDir;
        this.given = given;
        this.runDir = Objects.requireNonNull(runDir, "runDir");
    }

    /**
     * Training on an open checkpoint and in-memory samples, as a library user or a pipeline has them:
     * {@code SftTrainer.builder().setStage(Stage.SFT).setConfig(SftConfig.load(null, overrides))
     * .setCheckpoint(bundle).setSamples(samples, imageBase).setRunDir(out).build().run()}. The checkpoint's model
     * is trained in place (and stays open: the caller closes it).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of an in-memory run; {@code setX} required, {@code optX} optional. */
    public static final class Builder {
        private Stage stage = Stage.SFT;
        private ConfigLoader.Resolved<SftConfig> config;
        private CheckpointBundle checkpoint;
        private List<Sample> samples;
        private Path imageBase;
        private Path runDir;
        private StepListener listener;

        private Builder() {
        }

        public Builder setStage(Stage s) {
            this.stage = Objects.requireNonNull(s, "stage");
            return this;
        }

        public Builder setConfig(ConfigLoader.Resolved<SftConfig> c) {
            this.config = Objects.requireNonNull(c, "config");
            return this;
        }

        public Builder setCheckpoint(CheckpointBundle c) {
            this.checkpoint = Objects.requireNonNull(c, "checkpoint");
            return this;
        }

        /** @param base folder relative image paths are resolved against */
        public Builder setSamples(List<Sample> s, Path base) {
            this.samples = List.copyOf(s);
            this.imageBase = Objects.requireNonNull(base, "imageBase").toAbsolutePath();
            return this;
        }

        public Builder setRunDir(Path dir) {
            this.runDir = Objects.requireNonNull(dir, "runDir");
            return this;
        }

        public Builder optListener(StepListener l) {
            this.listener = l;
            return this;
        }

        public SftTrainer build() {
            if (config == null || checkpoint == null || samples == null || runDir == null) {
                throw new IllegalStateException("SftTrainer needs setConfig, setCheckpoint, setSamples and "
                        + "setRunDir");
            }
            SftTrainer t = new SftTrainer(stage, config, null, samples, imageBase, checkpoint.dir(), checkpoint,
                    runDir).progressBar(false);
            return listener == null ? t : t.listener(listener);
        }
    }

    /** Shows (default) or hides the console progress bar. */
    public SftTrainer progressBar(boolean on) {
        this.progressBar = on;
        return this;
    }

    public SftTrainer listener(StepListener l) {
        this.listener = Objects.requireNonNull(l, "listener");
        return this;
    }

    /** Trains to the end (resuming when the run folder holds checkpoints) and writes {@code final/}. */
    public Result run() {
        SftConfig config = resolved.config();
        TrainConfig train = config.train();
        SftOptions opts = config.sft();
        if (Files.isDirectory(runDir.resolve(FINAL))) {
            throw new IllegalStateException(runDir + " holds a finished run (" + runDir.resolve(FINAL)
                    + " exists); give another --out");
        }
        CheckpointManager checkpoints = new CheckpointManager(runDir, train.keepLast());
        Optional<Checkpoint> resumeFrom = checkpoints.latest();
        if (resumeFrom.isPresent()) {
            checkSameRun();
        }

        try (NDManager root = Engines.newManager();
             CheckpointBundle opened = given == null ? CheckpointBundle.open(modelDir, root,
                     CheckpointBundle.Options.weights(WeightPrecision.FLOAT32)) : null) {
            CheckpointBundle checkpoint = given == null ? opened : given;
            Tokenizer tokenizer = checkpoint.tokenizer();
            QwenImageProcessor processor = new QwenImageProcessor(preprocessorConfig(checkpoint, opts));
            ImageCache images = new ImageCache(processor, (long) opts.imageCacheMb() << 20);
            ChatTemplate template = checkpoint.chatTemplate();
            ExampleBuilder builder = exampleBuilder(checkpoint, stage, opts, train.maxLength());

            // ---- data ----
            BadSampleLog bad = new BadSampleLog(opts.onBadSampleValue());
            List<TrainingData.Located> all = data != null ? TrainingData.read(data, opts.dataFormat(), bad)
                    : inMemory();
            List<TrainingData.Located> trainSamples = all;
            List<TrainingData.Located> valSamples = List.of();
            if (!opts.valData().isBlank()) {
                valSamples = TrainingData.read(Path.of(opts.valData()), opts.dataFormat(), bad);
            } else if (opts.valFraction() > 0) {
                List<List<TrainingData.Located>> split = TrainingData.splitValidation(all, opts.valFraction(), train.seed());
                trainSamples = split.get(0);
                valSamples = split.get(1);
            }
            if (!opts.guidanceGraph().isBlank()) {
                KgGuidance kg = KgGuidance.defaults(KnowledgeGraph.load(Path.of(opts.guidanceGraph())));
                trainSamples = SftData.withGuidance(trainSamples, kg);
                valSamples = SftData.withGuidance(valSamples, kg);
            }
            SftData.Examples trainSet = SftData.build(trainSamples, builder, images, bad);
            SftData.Examples valSet = SftData.build(valSamples, builder, images, bad);
            if (trainSet.examples().isEmpty()) {
                throw new DataException(source() + ": no usable training sample (" + all.size() + " read, "
                        + bad.skipped() + " bad, " + bad.tooLongCount() + " too long for max_length "
                        + train.maxLength() + ")");
            }
            List<TrainingExample> examples = trainSet.examples();
            List<TrainingExample> validation = valSet.examples().subList(0,
                    Math.min(valSet.examples().size(), opts.valMaxSamples()));
            Map<String, Object> dataSummary = dataSummary(all.size(), trainSet, valSet, validation.size(), bad);
            LOG.info("{}: {} training examples ({} target tokens), {} validation; {} bad samples skipped, {} too "
                    + "long, {} truncated", source(), examples.size(), trainSet.targetTokens(), validation.size(),
                    bad.skipped(), bad.tooLongCount(), trainSet.truncated());

            long totalSteps = train.totalSteps(examples.size());
            String fingerprint = data != null ? TrainingData.fingerprint(data) : TrainingData.fingerprint(samples);
            if (resumeFrom.isEmpty()) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("data", data != null ? data.toAbsolutePath().toString() : source());
                extra.put("data_fingerprint", fingerprint);
                extra.put("model", modelDir.toAbsolutePath().toString());
                extra.put("total_steps", totalSteps);
                extra.put("data_summary", dataSummary);
                RunInfo.write(runDir, stage.id(), resolved, extra);
            } else {
                checkSameData(fingerprint);
                RunInfo.recordResume(runDir, resumeFrom.get().step());
            }

            {
                VisionLanguageModel model = checkpoint.model();
                model.setFrozen(ParameterGroup.VISION, train.freezeVision());
                model.setFrozen(ParameterGroup.MERGER, train.freezeMerger());
                model.setFrozen(ParameterGroup.LANGUAGE, train.freezeLanguage());
                TrainableWeights weights = TrainableWeights.of(model, config.lora(), modelDir, train.seed());
                Loop loop = new Loop(model, weights, root, tokenizer, template, processor, images, trainSet, validation,
                        totalSteps, fingerprint, dataSummary, checkpoints, builder, checkpoint.extras(processor));
                return loop.run(resumeFrom);
            }
        }
    }

    private String source() {
        return data != null ? data.toString() : "in-memory samples (" + samples.size() + ")";
    }

    private List<TrainingData.Located> inMemory() {
        List<TrainingData.Located> out = new java.util.ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            out.add(new TrainingData.Located(samples.get(i), Path.of("in-memory"), i + 1, imageBase));
        }
        return out;
    }

    /** How a run of this stage turns samples into examples: with the checkpoint's tokenizer and chat template. */
    public static ExampleBuilder exampleBuilder(CheckpointBundle checkpoint, Stage stage, SftOptions opts,
            int maxLength) {
        return new ExampleBuilder(checkpoint.tokenizer(), checkpoint.chatTemplate(), new ExampleBuilder.Settings(
                stage, opts.promptStyleFor(stage), opts.targetFormat(), opts.answerStyleValue(), opts.masking(),
                maxLength));
    }

    private static PreprocessorConfig preprocessorConfig(CheckpointBundle checkpoint, SftOptions opts) {
        PreprocessorConfig base = checkpoint.processor().config();
        long min = opts.minPixels() > 0 ? opts.minPixels() : base.minPixels();
        long max = opts.maxPixels() > 0 ? opts.maxPixels() : base.maxPixels();
        return min == base.minPixels() && max == base.maxPixels() ? base : base.withPixelBounds(min, max);
    }


    /** A resumed run must have the config it was started with. */
    private void checkSameRun() {
        if (!Files.isRegularFile(runDir.resolve(RunInfo.FILE))) {
            throw new IllegalStateException(runDir + " holds checkpoints but no " + RunInfo.FILE
                    + "; cannot tell how they were made");
        }
        JsonNode saved = RunInfo.read(runDir);
        String savedStage = saved.path("stage").asText();
        if (!stage.id().equals(savedStage)) {
            throw new IllegalStateException(runDir + " holds a " + savedStage + " run; cannot resume it as "
                    + stage.id());
        }
        // compared as parsed from text: a number read back from run.json may be an int where the record held a long
        JsonNode current;
        try {
            current = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(resolved.tree()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!saved.get("config").equals(current)) {
            throw new IllegalStateException(runDir + " holds a run with another config (see its " + RunInfo.FILE
                    + "); resume it with the same config or give another --out");
        }
    }

    private void checkSameData(String fingerprint) {
        JsonNode saved = RunInfo.read(runDir).path("provenance").path("data_fingerprint");
        if (fingerprint != null && saved.isTextual() && !saved.asText().equals(fingerprint)) {
            throw new IllegalStateException(source() + " is not the data " + runDir + " was started with (fingerprint "
                    + saved.asText() + ", now " + fingerprint + ")");
        }
    }

    private static Map<String, Object> dataSummary(int read, SftData.Examples trainSet, SftData.Examples valSet,
            int valUsed, BadSampleLog bad) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples_read", read);
        m.put("train_examples", trainSet.examples().size());
        m.put("train_target_tokens", trainSet.targetTokens());
        m.put("validation_examples", valUsed);
        m.put("on_bad_sample", bad.policy().name().toLowerCase(java.util.Locale.ROOT));
        m.put("bad_samples_skipped", bad.skipped());
        m.put("bad_samples_by_kind", bad.counts());
        m.put("too_long_skipped", bad.tooLongCount());
        m.put("truncated", trainSet.truncated() + valSet.truncated());
        m.put("guidance_removed", trainSet.guidanceRemoved() + valSet.guidanceRemoved());
        m.put("guidance_added", trainSet.guidanceAdded() + valSet.guidanceAdded());
        m.put("problems", bad.messages());
        return m;
    }

    /** The state of one training call. */
    private final class Loop {
        private final VisionLanguageModel model;
        private final TrainableWeights weights;
        private final NDManager root;
        private final Tokenizer tokenizer;
        private final ChatTemplate template;
        private final QwenImageProcessor processor;
        private final List<TrainingExample> examples;
        private final List<SftData.Source> sources;
        private final ExampleBuilder builder;
        private final boolean shuffleOptions;
        private final List<TrainingExample> validation;
        private final SftCollator collator;
        private final long totalSteps;
        private final String fingerprint;
        private final Map<String, Object> dataSummary;
        private final CheckpointManager checkpoints;
        private final TrainConfig train;
        private final CheckpointExtras extras;

        Loop(VisionLanguageModel model, TrainableWeights weights, NDManager root, Tokenizer tokenizer, ChatTemplate template,
                QwenImageProcessor processor, ImageCache images, SftData.Examples trainSet,
                List<TrainingExample> validation, long totalSteps, String fingerprint,
                Map<String, Object> dataSummary, CheckpointManager checkpoints, ExampleBuilder builder,
                CheckpointExtras extras) {
            this.model = model;
            this.weights = weights;
            this.root = root;
            this.tokenizer = tokenizer;
            this.template = template;
            this.processor = processor;
            this.examples = trainSet.examples();
            this.sources = trainSet.sources();
            this.builder = builder;
            this.shuffleOptions = resolved.config().sft().shuffleOptions();
            this.validation = validation;
            this.collator = new SftCollator(images, tokenizer.padId());
            this.totalSteps = totalSteps;
            this.fingerprint = fingerprint;
            this.dataSummary = dataSummary;
            this.checkpoints = checkpoints;
            this.train = resolved.config().train();
            this.extras = extras;
        }

        Result run(Optional<Checkpoint> resumeFrom) {
            Engine engine = Engine.getInstance();
            try (ParameterUpdater updater = new ParameterUpdater(weights.parameters(), train.adamW(),
                    train.schedule(totalSteps), train.maxGradNorm())) {
                TrainState state = TrainState.start(train.seed());
                long resumed = 0;
                if (resumeFrom.isPresent()) {
                    state = resumeFrom.get().restore(weights.parameters(), updater);
                    if (state.seed() != train.seed()) {
                        throw new IllegalStateException(resumeFrom.get().dir() + ": saved with seed " + state.seed()
                                + ", the config says " + train.seed());
                    }
                    resumed = state.globalStep();
                    LOG.info("resuming {} from {} (step {} of {})", runDir, resumeFrom.get().dir(), resumed,
                            totalSteps);
                }
                DataOrder order = new DataOrder(examples.size(), train.seed(), train.shuffle());
                DataOrder.Cursor cursor = order.cursor(state.dataPosition());
                double lastLoss = Double.NaN;
                double lastVal = Double.NaN;
                long lastValStep = -1;
                boolean countsLogged = false;
                try (MetricsLog metrics = MetricsLog.open(runDir.resolve(METRICS), resumed);
                     Progress.Task bar = progressBar ? Progress.bar(stage.id(), totalSteps, "step") : null) {
                    if (bar != null) {
                        bar.stepTo(resumed);
                    }
                    while (updater.globalStep() < totalSteps) {
                        long t0 = System.nanoTime();
                        long step = updater.globalStep();
                        StepRandom.seedEngine(train.seed(), step, "train");
                        List<List<TrainingExample>> micro = new ArrayList<>(train.gradAccum());
                        long targets = 0;
                        for (int i = 0; i < train.gradAccum(); i++) {
                            List<TrainingExample> batch = new ArrayList<>();
                            for (int idx : cursor.nextBatch(train.batchSize())) {
                                TrainingExample e = exampleAt(idx, cursor.epoch());
                                batch.add(e);
                                targets += e.targetCount();
                            }
                            micro.add(batch);
                        }
                        double nllSum = 0;
                        long tokens = 0;
                        for (List<TrainingExample> part : micro) {
                            Batch batch = collator.collate(part);
                            tokens += batch.tokens();
                            try (NDManager sub = root.newSubManager();
                                 GradientCollector gc = GradientRecording.open()) {
                                NDArray nll = SftLoss.summedNll(model, batch, sub);
                                gc.backward(Scalars.div(nll, (float) targets));
                                nllSum += nll.getFloat();
                            }
                        }
                        ParameterUpdater.Update u = updater.step(1.0);
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        lastLoss = nllSum / targets;
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("loss", lastLoss);
                        line.put("lr", u.lr());
                        line.put("grad_norm", u.gradNorm());
                        line.put("tokens_per_s", tokens / seconds);
                        line.put("target_tokens", targets);
                        line.put("tokens", tokens);
                        line.put("epoch", cursor.epoch());
                        line.put("step_time_s", seconds);
                        if (!u.applied()) {
                            line.put("skipped_update", true);
                        }
                        if (u.step() % train.logEvery() == 0 || u.step() == totalSteps) {
                            if (!countsLogged) {
                                // the data counts once per run, on its first line
                                line.put("bad_samples_skipped", dataSummary.get("bad_samples_skipped"));
                                line.put("too_long_skipped", dataSummary.get("too_long_skipped"));
                                line.put("truncated", dataSummary.get("truncated"));
                                countsLogged = true;
                            }
                            metrics.append(u.step(), line);
                        }
                        if (CheckpointManager.due(u.step(), train.evalEvery()) && !validation.isEmpty()) {
                            lastVal = validationLoss();
                            lastValStep = u.step();
                            metrics.append(u.step(), Map.of("val_loss", lastVal));
                            state = state.withMetric("val_loss", lastVal, false);
                        }
                        state = state.at(u.step(), cursor.position());
                        if (CheckpointManager.due(u.step(), train.saveEvery()) && u.step() < totalSteps) {
                            Map<String, Double> m = savedMetrics(lastLoss, lastValStep == u.step() ? lastVal
                                    : Double.NaN);
                            weights.save(checkpoints, state, updater.optimizer(),
                                    dir -> writeModelFiles(dir, u.step(), m));
                        }
                        if (bar != null) {
                            bar.stepTo(u.step());
                            bar.setExtraMessage(String.format(java.util.Locale.ROOT, " loss %.4f", lastLoss));
                        }
                        listener.onStep(u.step(), line);
                    }
                    if (!validation.isEmpty() && lastValStep != totalSteps) {
                        lastVal = validationLoss();
                        metrics.append(totalSteps, Map.of("val_loss", lastVal));
                    }
                }
                // The last state is saved as a checkpoint too, so a run killed while writing final/ can finish.
                Map<String, Double> m = savedMetrics(lastLoss, lastVal);
                weights.save(checkpoints, state, updater.optimizer(), dir -> writeModelFiles(dir, totalSteps, m));
                Path finalDir = runDir.resolve(FINAL);
                weights.writeFinal(finalDir, dir -> writeModelFiles(dir, totalSteps, m));
                LOG.info("{} done: {} steps, loss {}, model in {}", stage.id(), totalSteps, lastLoss, finalDir);
                return new Result(totalSteps, totalSteps - resumed, resumed, lastLoss, lastVal, examples.size(),
                        finalDir);
            }
        }

        /** Example {@code idx} as epoch {@code epoch} sees it (options in that epoch's order when shuffling). */
        private TrainingExample exampleAt(int idx, int epoch) {
            TrainingExample plain = examples.get(idx);
            if (!shuffleOptions) {
                return plain;
            }
            SftData.Source src = sources.get(idx);
            Sample shuffled = OptionShuffler.shuffle(src.sample(),
                    new SplittableRandom(StepRandom.derive(train.seed(), epoch, idx)));
            if (shuffled == src.sample()) {
                return plain;
            }
            try {
                return builder.build(shuffled, src.images(), src.imageTokenCounts()).example();
            } catch (SampleProblem e) {
                return plain; // e.g. longer than max_length in this order; the file's order was fine
            }
        }

        private Map<String, Double> savedMetrics(double loss, double valLoss) {
            Map<String, Double> m = new LinkedHashMap<>();
            if (Double.isFinite(loss)) {
                m.put("loss", loss);
            }
            if (Double.isFinite(valLoss)) {
                m.put("val_loss", valLoss);
            }
            return m;
        }

        /** Mean NLL per target token over the validation examples, without gradients. */
        double validationLoss() {
            double nll = 0;
            long targets = 0;
            int bs = train.batchSize();
            for (int i = 0; i < validation.size(); i += bs) {
                Batch batch = collator.collate(validation.subList(i, Math.min(validation.size(), i + bs)));
                try (NDManager sub = root.newSubManager()) {
                    nll += SftLoss.summedNll(model, batch, sub).getFloat();
                }
                targets += batch.targetTokens();
            }
            return nll / targets;
        }

        /** Everything of a loadable model folder besides the weights (and config.json, for final/). */
        void writeModelFiles(Path dir, long step, Map<String, Double> metrics) throws IOException {
            Provenance p = Provenance.of(stage.id()).withSeed(train.seed()).withMetrics(metrics);
            if (fingerprint != null) {
                p = p.withDataFingerprint(fingerprint);
            }
            extras.write(dir, p, step);
        }
    }
}

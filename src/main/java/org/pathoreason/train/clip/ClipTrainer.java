package org.pathoreason.train.clip;

import org.pathoreason.engine.GradientRecording;

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
import org.pathoreason.data.DataException;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.clip.ClipConfig;
import org.pathoreason.model.clip.ClipImageProcessor;
import org.pathoreason.model.clip.ClipModel;
import org.pathoreason.model.clip.ClipTokenizer;
import org.pathoreason.model.io.Provenance;
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
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Contrastive image-text training of a CLIP dual encoder, into a run folder:
 * <pre>
 * runs/NAME/run.json               resolved config, data and model provenance, resumes
 * runs/NAME/metrics.jsonl          one line per logged update: loss, lr, grad_norm, logit_scale, images_per_s, ...
 * runs/NAME/checkpoints/step-N/    model.safetensors (OpenCLIP names), optimiser state, trainer_state.json,
 *                                  open_clip_config.json, tokenizer.json, pathoreason.json (a loadable model folder)
 * runs/NAME/final/                 the trained model in OpenCLIP's layout plus tokenizer.json and pathoreason.json
 * </pre>
 *
 * <p>Each update takes one batch of pairs in a seeded per-epoch order, computes the symmetric cross-entropy over
 * the batch's image-text similarity matrix ({@link ClipLoss}), applies the warm-up-and-cosine learning rate and
 * AdamW (no decay on gains, biases, the class token and {@code logit_scale}), then clamps {@code logit_scale} into
 * {@code [0, ln 100]} as OpenCLIP does. The model is new (sizes from the {@code clip:} section, vocabulary from the
 * tokenizer) or a checkpoint to fine-tune; {@code train.freeze_vision} locks its image tower (LiT). Images are
 * prepared once with the model's eval preprocessing (no augmentation) and kept in memory up to
 * {@code clip.image_cache_mb}.
 *
 * <p>Started again on a run folder with checkpoints it resumes exactly (weights, optimiser moments, schedule and
 * data position); the config and data must be the ones it started with.
 */
public final class ClipTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(ClipTrainer.class);
    public static final String FINAL = "final";
    public static final String METRICS = "metrics.jsonl";
    static final String STAGE = "clip";

    /** Called after each update with its metrics (the CLI draws a progress bar from it; tests interrupt runs). */
    @FunctionalInterface
    public interface StepListener {
        void onStep(long step, long totalSteps, Map<String, Object> metrics);
    }

    /**
     * What a run produced.
     *
     * @param lastValLoss the last validation loss, NaN without held-out pairs
     * @param lastValRecall the last validation recall@1 (mean of both directions), NaN without held-out pairs
     */
    public record Result(long steps, long stepsThisRun, long resumedFrom, double lastLoss, double lastValLoss,
            double lastValRecall, double logitScale, int trainPairs, int valPairs, Path finalDir) {
    }

    private final ConfigLoader.Resolved<ClipTrainConfig> resolved;
    private final Path data;
    private final Path modelDir;
    private final Path tokenizerFile;
    private final Path runDir;
    private StepListener listener = (step, total, metrics) -> { };

    /**
     * @param data image-text pairs ({@link ClipPairs#read})
     * @param modelDir a CLIP model folder to fine-tune (with its {@code tokenizer.json}), or null for a new model
     * @param tokenizerFile the {@code tokenizer.json} of a new model; null when {@code modelDir} is given
     * @param runDir the run folder
     */
    public ClipTrainer(ConfigLoader.Resolved<ClipTrainConfig> resolved, Path data, Path modelDir, Path tokenizerFile,
            Path runDir) {
        this.resolved = Objects.requireNonNull(resolved, "resolved");
        this.data = Objects.requireNonNull(data, "data");
        this.runDir = Objects.requireNonNull(runDir, "runDir");
        if ((modelDir == null) == (tokenizerFile == null)) {
            throw new IllegalArgumentException("give either a model to fine-tune or a tokenizer for a new model");
        }
        this.modelDir = modelDir;
        this.tokenizerFile = tokenizerFile;
    }

    public ClipTrainer listener(StepListener l) {
        this.listener = Objects.requireNonNull(l, "listener");
        return this;
    }

    /** Trains to the end (resuming from the newest checkpoint of the run folder) and writes {@code final/}. */
    public Result run() {
        ClipTrainConfig config = resolved.config();
        TrainConfig train = config.train();
        ClipOptions opts = config.clip();
        if (Files.isDirectory(runDir.resolve(FINAL))) {
            throw new IllegalStateException(runDir + " holds a finished run (" + runDir.resolve(FINAL)
                    + " exists); give another --out");
        }
        CheckpointManager checkpoints = new CheckpointManager(runDir, train.keepLast());
        Optional<Checkpoint> resumeFrom = checkpoints.latest();
        if (resumeFrom.isPresent()) {
            checkSameRun();
        }
        List<ClipPairs.Pair> all = ClipPairs.requireImageAndText(ClipPairs.read(data), data);
        List<List<ClipPairs.Pair>> split = split(all, opts.valFraction(), train.seed());
        List<ClipPairs.Pair> pairs = split.get(0);
        List<ClipPairs.Pair> validation = split.get(1).subList(0, Math.min(split.get(1).size(), opts.valMaxPairs()));
        if (pairs.size() < 2) {
            throw new DataException(data + ": " + pairs.size() + " training pair(s); a contrastive loss needs at "
                    + "least 2");
        }
        long totalSteps = train.totalSteps(pairs.size());
        String fingerprint = ClipPairs.fingerprint(data);

        try (ClipModel model = startingModel(opts, train.seed());
             ClipTokenizer tokenizer = modelDir != null ? ClipTokenizer.load(modelDir, model.config())
                     : new ClipTokenizer(Tokenizer.load(tokenizerFile), model.config().text().contextLength(),
                             model.config().text().padId());
             NDManager root = Engines.newManager()) {
            tokenizer.checkFits(model.config(), modelDir != null ? modelDir : tokenizerFile);
            model.lockImageTower(train.freezeVision());
            if (resumeFrom.isEmpty()) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("data", data.toAbsolutePath().toString());
                extra.put("data_fingerprint", fingerprint);
                extra.put("model", modelDir == null ? "new" : modelDir.toAbsolutePath().toString());
                if (tokenizerFile != null) {
                    extra.put("tokenizer", tokenizerFile.toAbsolutePath().toString());
                }
                extra.put("total_steps", totalSteps);
                extra.put("train_pairs", pairs.size());
                extra.put("val_pairs", validation.size());
                extra.put("parameters", model.parameterCount());
                RunInfo.write(runDir, STAGE, resolved, extra);
            } else {
                String saved = RunInfo.read(runDir).path("provenance").path("data_fingerprint").asText("");
                if (!saved.isEmpty() && !saved.equals(fingerprint)) {
                    throw new IllegalStateException(data + " is not the data " + runDir + " was started with");
                }
                RunInfo.recordResume(runDir, resumeFrom.get().step());
            }
            ClipImageProcessor processor = new ClipImageProcessor(model.config().preprocess());
            ImageCache images = new ImageCache(processor, (long) opts.imageCacheMb() << 20);
            long[][] ids = tokenizer.encode(pairs.stream().map(ClipPairs.Pair::text).toList());
            long[][] valIds = validation.isEmpty() ? new long[0][]
                    : tokenizer.encode(validation.stream().map(ClipPairs.Pair::text).toList());
            LOG.info("{}: {} training pairs, {} held out; model of {} parameters", data, pairs.size(),
                    validation.size(), model.parameterCount());
            Loop loop = new Loop(model, tokenizer, root, images, pairs, ids, validation, valIds, totalSteps,
                    fingerprint, checkpoints);
            return loop.run(resumeFrom);
        }
    }

    private ClipModel startingModel(ClipOptions o, long seed) {
        if (modelDir != null) {
            return ClipModel.load(modelDir);
        }
        int vocab;
        long end;
        long start;
        try (ClipTokenizer t = new ClipTokenizer(Tokenizer.load(tokenizerFile), o.contextLength(), 0)) {
            vocab = t.vocabSize();
            end = t.endId();
            start = t.startId();
        }
        // CLIP's own vocabulary ends with its end-of-text token (argmax pooling); other tokenizers pool at the id
        int eos = start >= 0 && end == vocab - 1 ? -1 : (int) end;
        ClipConfig c = ClipConfig.vit(o.embedDim(), o.imageSize(), o.patchSize(), o.width(), o.layers(), o.heads(),
                o.contextLength(), vocab, o.textWidth(), o.textLayers(), o.textHeads(), eos);
        if (o.quickGelu()) {
            c = new ClipConfig(c.embedDim(), true, false, c.vision(), c.text(), c.preprocess(), c.initLogitScale(),
                    c.layout());
        }
        return ClipModel.random(c, seed);
    }

    /** A seeded split into training and held-out pairs (the held-out ones in file order). */
    static List<List<ClipPairs.Pair>> split(List<ClipPairs.Pair> all, double fraction, long seed) {
        int held = (int) Math.round(all.size() * fraction);
        if (held == 0) {
            return List.of(all, List.of());
        }
        int[] order = new DataOrder(all.size(), StepRandom.derive(seed, 0, "clip-validation"), true).epochOrder(0);
        boolean[] isHeld = new boolean[all.size()];
        for (int i = 0; i < held; i++) {
            isHeld[order[i]] = true;
        }
        List<ClipPairs.Pair> train = new ArrayList<>();
        List<ClipPairs.Pair> val = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            (isHeld[i] ? val : train).add(all.get(i));
        }
        return List.of(train, val);
    }

    private void checkSameRun() {
        if (!Files.isRegularFile(runDir.resolve(RunInfo.FILE))) {
            throw new IllegalStateException(runDir + " holds checkpoints but no " + RunInfo.FILE);
        }
        JsonNode saved = RunInfo.read(runDir);
        if (!STAGE.equals(saved.path("stage").asText())) {
            throw new IllegalStateException(runDir + " holds a " + saved.path("stage").asText()
                    + " run; cannot resume it as clip");
        }
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

    /** The state of one training call. */
    private final class Loop {
        private final ClipModel model;
        private final ClipTokenizer tokenizer;
        private final NDManager root;
        private final ImageCache images;
        private final List<ClipPairs.Pair> pairs;
        private final long[][] ids;
        private final List<ClipPairs.Pair> validation;
        private final long[][] valIds;
        private final long totalSteps;
        private final String fingerprint;
        private final CheckpointManager checkpoints;
        private final TrainConfig train;
        private final ClipOptions opts;

        Loop(ClipModel model, ClipTokenizer tokenizer, NDManager root, ImageCache images, List<ClipPairs.Pair> pairs,
                long[][] ids, List<ClipPairs.Pair> validation, long[][] valIds, long totalSteps, String fingerprint,
                CheckpointManager checkpoints) {
            this.model = model;
            this.tokenizer = tokenizer;
            this.root = root;
            this.images = images;
            this.pairs = pairs;
            this.ids = ids;
            this.validation = validation;
            this.valIds = valIds;
            this.totalSteps = totalSteps;
            this.fingerprint = fingerprint;
            this.checkpoints = checkpoints;
            this.train = resolved.config().train();
            this.opts = resolved.config().clip();
        }

        Result run(Optional<Checkpoint> resumeFrom) {
            Engine engine = Engine.getInstance();
            try (ParameterUpdater updater = new ParameterUpdater(model.parameters(), train.adamW(),
                    train.schedule(totalSteps), train.maxGradNorm())) {
                TrainState state = TrainState.start(train.seed());
                long resumed = 0;
                if (resumeFrom.isPresent()) {
                    state = resumeFrom.get().restore(model.parameters(), updater);
                    if (state.seed() != train.seed()) {
                        throw new IllegalStateException(resumeFrom.get().dir() + ": saved with seed " + state.seed()
                                + ", the config says " + train.seed());
                    }
                    resumed = state.globalStep();
                    LOG.info("resuming {} from step {} of {}", runDir, resumed, totalSteps);
                }
                DataOrder.Cursor cursor = new DataOrder(pairs.size(), train.seed(), train.shuffle())
                        .cursor(state.dataPosition());
                double lastLoss = Double.NaN;
                double[] lastVal = {Double.NaN, Double.NaN};
                long lastValStep = -1;
                try (MetricsLog metrics = MetricsLog.open(runDir.resolve(METRICS), resumed)) {
                    while (updater.globalStep() < totalSteps) {
                        long t0 = System.nanoTime();
                        int[] batch = cursor.nextBatch(train.batchSize());
                        if (batch.length < 2) {
                            batch = cursor.nextBatch(train.batchSize()); // a lone leftover pair has no negatives
                        }
                        double loss;
                        try (NDManager step = root.newSubManager();
                             GradientCollector gc = GradientRecording.open()) {
                            NDArray l = ClipLoss.symmetric(model, images.batch(pairs, batch, step), rows(ids, batch),
                                    step);
                            gc.backward(l);
                            loss = l.getFloat();
                        }
                        ParameterUpdater.Update u = updater.step(1.0);
                        model.clampLogitScale(opts.maxLogitScale());
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        lastLoss = loss;
                        state = state.at(u.step(), cursor.position());
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("loss", loss);
                        line.put("lr", u.lr());
                        line.put("grad_norm", u.gradNorm());
                        line.put("logit_scale", Math.exp(model.logitScaleValue()));
                        line.put("images_per_s", batch.length / seconds);
                        line.put("batch", batch.length);
                        line.put("epoch", cursor.epoch());
                        line.put("step_time_s", seconds);
                        if (!u.applied()) {
                            line.put("skipped_update", true);
                        }
                        if (train.shouldLog(u.step()) || u.step() == totalSteps) {
                            metrics.append(u.step(), line);
                        }
                        if (train.shouldEval(u.step()) && !validation.isEmpty()) {
                            lastVal = validate();
                            lastValStep = u.step();
                            metrics.append(u.step(), Map.of("val_loss", lastVal[0], "val_recall_at_1", lastVal[1]));
                        }
                        if (train.shouldSave(u.step()) && u.step() < totalSteps) {
                            Map<String, Double> m = savedMetrics(lastLoss, lastValStep == u.step() ? lastVal
                                    : new double[] {Double.NaN, Double.NaN});
                            checkpoints.save(state, model.parameters(), updater.optimizer(),
                                    dir -> writeModelFiles(dir, m));
                        }
                        listener.onStep(u.step(), totalSteps, line);
                    }
                    if (!validation.isEmpty() && lastValStep != totalSteps) {
                        lastVal = validate();
                        metrics.append(totalSteps, Map.of("val_loss", lastVal[0], "val_recall_at_1", lastVal[1]));
                    }
                }
                Map<String, Double> m = savedMetrics(lastLoss, lastVal);
                checkpoints.save(state, model.parameters(), updater.optimizer(), dir -> writeModelFiles(dir, m));
                Path finalDir = runDir.resolve(FINAL);
                AtomicFiles.writeFolder(finalDir, dir -> {
                    model.save(dir);
                    writeModelFiles(dir, m);
                });
                LOG.info("clip done: {} steps, loss {}, model in {}", totalSteps, lastLoss, finalDir);
                return new Result(totalSteps, totalSteps - resumed, resumed, lastLoss, lastVal[0], lastVal[1],
                        Math.exp(model.logitScaleValue()), pairs.size(), validation.size(), finalDir);
            }
        }

        /** Held-out contrastive loss (batches of {@code batch_size}) and recall@1 over all held-out pairs. */
        double[] validate() {
            int n = validation.size();
            int bs = train.batchSize();
            double lossSum = 0;
            int batches = 0;
            int d = model.config().embedDim();
            float[] img = new float[n * d];
            float[] txt = new float[n * d];
            for (int from = 0; from < n; from += bs) {
                int[] batch = new int[Math.min(bs, n - from)];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = from + i;
                }
                try (NDManager step = root.newSubManager()) {
                    NDArray pixels = images.batch(validation, batch, step);
                    NDArray ie = model.imageEmbeddings(pixels, step);
                    NDArray te = model.textEmbeddings(rows(valIds, batch), step);
                    System.arraycopy(ie.toFloatArray(), 0, img, from * d, batch.length * d);
                    System.arraycopy(te.toFloatArray(), 0, txt, from * d, batch.length * d);
                    if (batch.length >= 2) {
                        lossSum += ClipLoss.fromEmbeddings(ie, te, model.logitScale(step), step).getFloat();
                        batches++;
                    }
                }
            }
            return new double[] {batches == 0 ? Double.NaN : lossSum / batches, recallAt1(img, txt, n, d)};
        }

        private Map<String, Double> savedMetrics(double loss, double[] val) {
            Map<String, Double> m = new LinkedHashMap<>();
            if (Double.isFinite(loss)) {
                m.put("loss", loss);
            }
            if (Double.isFinite(val[0])) {
                m.put("val_loss", val[0]);
                m.put("val_recall_at_1", val[1]);
            }
            return m;
        }

        /** {@code open_clip_config.json} (checkpoints), {@code tokenizer.json}, {@code pathoreason.json}. */
        void writeModelFiles(Path dir, Map<String, Double> metrics) throws IOException {
            if (!Files.exists(dir.resolve(ClipConfig.OPEN_CLIP_CONFIG))) {
                Files.writeString(dir.resolve(ClipConfig.OPEN_CLIP_CONFIG),
                        Json.PRETTY.writeValueAsString(model.config().toOpenClipJson()) + "\n");
            }
            Files.writeString(dir.resolve("tokenizer.json"), tokenizer.tokenizer().json());
            Provenance p = Provenance.of(STAGE).withSeed(train.seed()).withMetrics(metrics)
                    .withDataFingerprint(fingerprint);
            if (modelDir != null) {
                p = p.withParent(modelDir.toAbsolutePath().toString());
            }
            Files.writeString(dir.resolve("pathoreason.json"), Json.PRETTY.writeValueAsString(p.toJson()) + "\n");
        }
    }

    /** Mean of image-to-text and text-to-image recall@1 of row-normalised embeddings (pair i is image i, text i). */
    static double recallAt1(float[] img, float[] txt, int n, int d) {
        int hits = 0;
        double[][] sim = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += img[i * d + k] * txt[j * d + k];
                }
                sim[i][j] = s;
            }
        }
        for (int i = 0; i < n; i++) {
            boolean rowBest = true;
            boolean colBest = true;
            for (int j = 0; j < n; j++) {
                rowBest &= j == i || sim[i][j] <= sim[i][i];
                colBest &= j == i || sim[j][i] <= sim[i][i];
            }
            hits += (rowBest ? 1 : 0) + (colBest ? 1 : 0);
        }
        return hits / (2.0 * n);
    }

    static long[][] rows(long[][] all, int[] index) {
        long[][] out = new long[index.length][];
        for (int i = 0; i < index.length; i++) {
            out[i] = all[index[i]];
        }
        return out;
    }
}

package org.pathoreason.eval;

import org.pathoreason.text.PromptStyle;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.generate.FinishReason;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.generate.Generator;
import org.pathoreason.model.Prompt;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.data.PromptEncoder;
import org.pathoreason.image.ImageCache;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.util.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a model on samples: builds each prompt as training does ({@link PromptEncoder}), generates greedily in
 * left-padded batches with a KV cache until {@code <|im_end|>} (or {@code <|endoftext|>}) or
 * {@code maxNewTokens}, and scores the completions with the same {@link Scorer} that {@code pathoreason score}
 * uses, so that scoring the predictions file again gives the same figures.
 *
 * <p>With an output folder, each completion is appended to {@code predictions.jsonl} (one flushed line) as soon as
 * its batch ends; a run that is killed resumes from that file, skipping the ids it holds (a last line cut short
 * is dropped and generated again). At the end the file is rewritten in sample order, and {@code metrics.json},
 * {@code questions.jsonl} (each question's outcome, for paired comparisons of runs) and {@code eval.json} are
 * written ({@code eval.report.EvalReport.write} adds {@code report.html}).
 *
 * <p>Prompts are rendered with the checkpoint's chat template ({@link CheckpointBundle#chatTemplate()}), which
 * honours the folder's own {@code chat_template} where it can be rendered and otherwise warns that the built-in
 * Qwen2.5-VL template is used. The template's default system prompt
 * is recorded in {@code eval.json}, so predictions made with another template are not resumed.
 *
 * <pre>{@code
 * EvalRunner runner = new EvalRunner(model, tokenizer, new QwenImageProcessor(), EvalOptions.DEFAULTS
 *         .withStyle(PromptStyle.COT).withOutDir(Path.of("runs/sft/eval")));
 * EvalResult result = runner.run(samples, DatasetFormat.JSONL.imageBase(dataFile));
 * double accuracy = result.report().overall().accuracy();
 * }</pre>
 */
public final class EvalRunner {

    private static final Logger LOG = LoggerFactory.getLogger(EvalRunner.class);

    private final VisionLanguageModel model;
    private final Tokenizer tokenizer;
    private final QwenImageProcessor processor;
    private final ChatTemplate template;
    private final EvalOptions options;
    private final Set<Long> stopTokenIds;

    /**
     * Evaluates a checkpoint with its own tokenizer, image processing (pixel bounds overridden by
     * {@link EvalOptions#minPixels}/{@link EvalOptions#maxPixels} when set), chat template and stop ids.
     */
    public EvalRunner(CheckpointBundle checkpoint, EvalOptions options) {
        this.model = checkpoint.model();
        this.tokenizer = checkpoint.tokenizer();
        this.options = Objects.requireNonNull(options, "options");
        this.processor = withPixelBounds(checkpoint.processor(), options);
        this.template = checkpoint.chatTemplate();
        this.stopTokenIds = checkpoint.stopIds();
    }

    private static QwenImageProcessor withPixelBounds(QwenImageProcessor processor, EvalOptions options) {
        if (options.minPixels() <= 0 && options.maxPixels() <= 0) {
            return processor;
        }
        PreprocessorConfig c = processor.config();
        return new QwenImageProcessor(c.withPixelBounds(options.minPixels() > 0 ? options.minPixels() : c.minPixels(),
                options.maxPixels() > 0 ? options.maxPixels() : c.maxPixels()));
    }

    /** How this runner prompts: the checkpoint's encoder with the options' style and pixel bounds. */
    public PromptEncoder promptEncoder(Path imageBase) {
        return new PromptEncoder(tokenizer, new ImageCache(processor, 256L << 20), template, options.style(),
                imageBase);
    }

    public EvalOptions options() {
        return options;
    }

    /** The settings that determine the completions (recorded in {@code eval.json}). */
    public EvalRunInfo.Generation generationSettings() {
        return new EvalRunInfo.Generation(options.modelName(), options.style().name().toLowerCase(Locale.ROOT)
                .replace('_', '-'), options.maxNewTokens(), processor.config().minPixels(),
                processor.config().maxPixels(), template.defaultSystemPrompt(), "greedy");
    }

    /**
     * Generates what is missing, scores, and writes the outputs when {@link EvalOptions#outDir} is set.
     *
     * @param samples the data, in its file order ({@link EvalOptions#limit} keeps the first ones)
     * @param imageBase folder relative image paths are resolved against; null for the working directory
     * @throws DataException for a missing or unreadable image, duplicate sample ids, or a predictions file that
     *     cannot be resumed
     * @throws IllegalStateException when the output folder holds predictions made with other settings (and
     *     {@link EvalOptions#fresh} is off)
     */
    public EvalResult run(List<Sample> samples, Path imageBase) {
        Instant started = Instant.now();
        List<Sample> selected = select(samples);
        if (selected.isEmpty()) {
            throw new IllegalArgumentException("no samples to evaluate");
        }
        PromptEncoder encoder = promptEncoder(imageBase);
        EvalRunInfo.Generation settings = generationSettings();
        Path out = options.outDir();
        Path predFile = out == null ? null : out.resolve(EvalOptions.PREDICTIONS);
        Map<String, Prediction> previous = out == null ? new LinkedHashMap<>() : previousPredictions(out, settings);

        List<Sample> pending = Predictions.pending(selected, new ArrayList<>(previous.values()));
        int resumed = selected.size() - pending.size();
        if (resumed > 0) {
            LOG.info("resuming from {}: {} of {} samples already predicted", predFile, resumed, selected.size());
        }
        encoder.checkImagesExist(pending);
        if (out != null) {
            info(settings, selected.size(), resumed, new Generated(), started, null).write(
                    out.resolve(EvalOptions.RUN_INFO));
        }

        Map<String, Prediction> predictions = new LinkedHashMap<>(previous);
        Generated generated = generate(pending, encoder, predFile, predictions);

        List<Prediction> ordered = new ArrayList<>(selected.size());
        Set<String> selectedIds = new HashSet<>();
        for (Sample s : selected) {
            ordered.add(predictions.get(s.id()));
            selectedIds.add(s.id());
        }
        ScoreResult score = new Scorer(options.scoring()).score(selected, ordered);
        EvalRunInfo info = info(settings, selected.size(), resumed, generated, started, Instant.now());
        if (out != null) {
            // Sample order, whatever order batches and resumptions wrote; predictions for other samples are kept.
            List<Prediction> file = new ArrayList<>(ordered);
            for (Prediction p : predictions.values()) {
                if (!selectedIds.contains(p.id())) {
                    file.add(p);
                }
            }
            Predictions.write(predFile, file);
            score.report().write(out.resolve(EvalOptions.METRICS));
            QuestionOutcome.write(out.resolve(QuestionOutcome.FILE), score.items().stream().map(QuestionOutcome::of)
                    .toList());
            info.write(out.resolve(EvalOptions.RUN_INFO));
        }
        return new EvalResult(score, ordered, info, out, title(), reportInfo(info),
                imageBase == null ? Path.of("") : imageBase);
    }

    private List<Sample> select(List<Sample> samples) {
        List<Sample> selected = options.limit() > 0 && samples.size() > options.limit()
                ? samples.subList(0, options.limit()) : samples;
        Set<String> ids = new HashSet<>();
        for (Sample s : selected) {
            if (!ids.add(s.id())) {
                throw new DataException("two samples have the id '" + s.id() + "'; predictions are matched by id, "
                        + "so ids must be unique");
            }
        }
        return selected;
    }

    /** The predictions an earlier run left in {@code out}, after checking they were made the same way. */
    private Map<String, Prediction> previousPredictions(Path out, EvalRunInfo.Generation settings) {
        Path predFile = out.resolve(EvalOptions.PREDICTIONS);
        try {
            Files.createDirectories(out);
            if (options.fresh()) {
                Files.deleteIfExists(predFile);
                return new LinkedHashMap<>();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
        List<Prediction> found = Predictions.readForResume(predFile);
        Map<String, Prediction> byId = new LinkedHashMap<>();
        found.forEach(p -> byId.put(p.id(), p));
        if (byId.isEmpty()) {
            return byId;
        }
        Path infoFile = out.resolve(EvalOptions.RUN_INFO);
        if (!Files.exists(infoFile)) {
            LOG.warn("{} holds {} predictions but no {}: resuming without checking how they were made", predFile,
                    byId.size(), EvalOptions.RUN_INFO);
            return byId;
        }
        List<String> differences = EvalRunInfo.read(infoFile).generation().differencesFrom(settings);
        if (!differences.isEmpty()) {
            throw new IllegalStateException(predFile + " holds " + byId.size() + " predictions made with other "
                    + "settings (" + String.join("; ", differences) + "); start afresh (--fresh) or choose another "
                    + "output folder");
        }
        return byId;
    }

    /** Counts of this run's generation. */
    private static final class Generated {
        int count;
        long tokens;
        int cutAtLength;
        double seconds;
    }

    private Generated generate(List<Sample> pending, PromptEncoder encoder, Path predFile,
            Map<String, Prediction> predictions) {
        Generated g = new Generated();
        if (pending.isEmpty()) {
            return g;
        }
        SamplingOptions sampling = SamplingOptions.greedy(options.maxNewTokens()).withStopTokenIds(stopTokenIds);
        Generator generator = new Generator(model, ids -> tokenizer.decode(ids, true));
        long t0 = System.nanoTime();
        try (PredictionWriter writer = predFile == null ? null
                : PredictionWriter.resume(predFile, new ArrayList<>(predictions.values()));
             Progress.Task bar = options.progress() ? Progress.bar("eval", pending.size(), "samples") : null;
             NDManager manager = Engines.newManager()) {
            for (int from = 0; from < pending.size(); from += options.batchSize()) {
                List<Sample> batch = pending.subList(from, Math.min(pending.size(), from + options.batchSize()));
                List<Prompt> prompts = encoder.encode(batch);
                List<GenerationResult> results = generator.generate(prompts, sampling, null, manager);
                for (int i = 0; i < batch.size(); i++) {
                    GenerationResult r = results.get(i);
                    int tokens = textTokenCount(r);
                    Prediction p = new Prediction(batch.get(i).id(), r.text(), tokens);
                    if (writer != null) {
                        writer.write(p);
                    }
                    predictions.put(p.id(), p);
                    g.count++;
                    g.tokens += tokens;
                    if (r.finishReason() == FinishReason.LENGTH) {
                        g.cutAtLength++;
                    }
                }
                g.seconds = (System.nanoTime() - t0) / 1e9;
                if (bar != null) {
                    bar.stepBy(batch.size());
                    bar.setExtraMessage(String.format(Locale.ROOT, ", %.1f tok/s", g.tokens / g.seconds));
                }
            }
        }
        g.seconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("generated {} completions, {} tokens in {} s ({} tok/s)", g.count, g.tokens,
                String.format(Locale.ROOT, "%.1f", g.seconds),
                String.format(Locale.ROOT, "%.1f", g.tokens / Math.max(g.seconds, 1e-9)));
        return g;
    }

    /** Generated tokens without the stop token that ended the completion: the answer's own length. */
    private int textTokenCount(GenerationResult r) {
        long[] ids = r.tokenIds();
        int n = ids.length;
        return n > 0 && stopTokenIds.contains(ids[n - 1]) ? n - 1 : n;
    }

    private EvalRunInfo info(EvalRunInfo.Generation settings, int samples, int resumed, Generated g, Instant started,
            Instant finished) {
        return new EvalRunInfo(finished == null ? EvalRunInfo.RUNNING : EvalRunInfo.DONE, settings,
                options.dataName(), options.batchSize(), options.scoring().extraction().id(), samples, resumed,
                g.count, g.tokens, g.cutAtLength, g.seconds, g.seconds > 0 ? g.tokens / g.seconds : null,
                started.toString(), finished == null ? null : finished.toString());
    }

    private String title() {
        String model = options.modelName() == null ? "model" : shortName(options.modelName());
        return "Evaluation of " + model + (options.dataName() == null ? "" : " on " + shortName(options.dataName()));
    }

    private static String shortName(String s) {
        int at = s.indexOf('@');
        String path = at > 0 ? s.substring(0, at) : s;
        Path p = Path.of(path).getFileName();
        return p == null ? s : p.toString();
    }

    private Map<String, Object> reportInfo(EvalRunInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (options.modelName() != null) {
            m.put("model", options.modelName());
        }
        if (options.dataName() != null) {
            m.put("data", options.dataName());
        }
        m.put("prompt style", info.generation().style());
        m.put("decoding", "greedy, at most " + options.maxNewTokens() + " new tokens, batches of "
                + options.batchSize());
        m.put("image pixels", info.generation().minPixels() + " to " + info.generation().maxPixels());
        m.put("samples evaluated", info.samples());
        if (info.resumed() > 0) {
            m.put("resumed from an earlier run", info.resumed());
        }
        m.put("generated in this run", info.generated());
        if (info.generated() > 0) {
            m.put("cut at max new tokens", info.cutAtMaxNewTokens());
            m.put("generation time", formatDuration(info.generationSeconds()));
            m.put("tokens per second", String.format(Locale.ROOT, "%.1f", info.tokensPerSecond()));
        }
        return m;
    }

    private static String formatDuration(double seconds) {
        Duration d = Duration.ofMillis(Math.round(seconds * 1000));
        return d.toHours() > 0 ? String.format(Locale.ROOT, "%dh %02dm %02ds", d.toHours(), d.toMinutesPart(),
                d.toSecondsPart()) : String.format(Locale.ROOT, "%dm %02.1fs", d.toMinutes(),
                d.toSecondsPart() + d.toMillisPart() / 1000.0);
    }
}

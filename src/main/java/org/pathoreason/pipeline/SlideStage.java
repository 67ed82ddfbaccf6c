package org.pathoreason.pipeline;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.data.synth.TileRenderer;
import org.pathoreason.eval.EvalOptions;
import org.pathoreason.eval.EvalResult;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.ScoredItem;
import org.pathoreason.eval.SlideEvaluation;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import org.pathoreason.wsi.Slide;
import org.pathoreason.wsi.SlideBackend;
import org.pathoreason.wsi.SlideIndex;
import org.pathoreason.wsi.Slides;
import org.pathoreason.wsi.SyntheticSlideSet;
import org.pathoreason.wsi.SyntheticSlides;
import org.pathoreason.wsi.TileSelector;
import org.pathoreason.wsi.TilingOptions;

/**
 * The demo's slide stage, after the last trained stage: a few synthetic whole slides of the world
 * ({@link SyntheticSlideSet}: pyramidal TIFFs whose tissue is painted with the diagnosis's findings), each asked its
 * diagnosis and one finding ({@code SlideQuestions}); the last stage's model answers from the K patches the
 * tissue-and-diversity rule picks, cut at the world's own tile scale, in one multi-image prompt
 * ({@link SlideEvaluation}, scored as the stages are). {@code OUT/slides/thumbs/ID.png} shows each slide with the
 * chosen patches outlined. Complete when {@code OUT/slides/eval/slides.json} exists.
 */
final class SlideStage {

    static final String NAME = "slides";
    static final String SCORES = "slides.json";

    /**
     * How big the stage is, by preset.
     *
     * @param slides slides drawn (diagnoses in turn)
     * @param side level-0 side of each slide
     * @param k patches a question
     */
    record Size(int slides, int side, int k) {
        static Size of(String preset) {
            return switch (preset) {
                case "smoke" -> new Size(2, 1024, 2);
                case "full" -> new Size(13, 2048, 4);
                default -> new Size(6, 1536, 4);
            };
        }
    }

    /** One slide in the report: its diagnosis, thumbnail and the patches shown for each question. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record SlideRow(String id, String diagnosis, String thumbnail, Map<String, List<List<Long>>> patches,
            Map<String, Boolean> correct) {
    }

    /** The stage's figures, as {@code results.json}'s top-level {@code slides} object shows them. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Scores(String model, int slides, int questions, int k, int patchSize, double patchMpp, String rule,
            double accuracy, double accuracyNoGuess, double chance, Map<String, Double> subsetAccuracy,
            double seconds, List<SlideRow> rows) {
    }

    private SlideStage() {
    }

    static Path scoresFile(Workspace ws) {
        return ws.stageDir(NAME).resolve("eval").resolve(SCORES);
    }

    /** Writes the slides, asks the model of {@code stage} and scores; a finished stage is read back. */
    static Scores run(Workspace ws, String stage, Path model, PrintStream log, int index, int count,
            boolean progress) {
        String tag = String.format(Locale.ROOT, "[%d/%d] %s", index, count, NAME);
        Path file = scoresFile(ws);
        if (Files.isRegularFile(file)) {
            Scores s = read(file);
            log.printf(Locale.ROOT, "%s: done earlier (%s)%n", tag, summary(s));
            return s;
        }
        long t0 = System.nanoTime();
        PipelineSettings settings = ws.settings();
        Size size = Size.of(settings.preset());
        log.printf(Locale.ROOT, "%s: %d synthetic slides, %s's model answers from %d patches a slide%n", tag,
                size.slides(), stage, size.k());
        Path dir = ws.stageDir(NAME);
        Path set = dir.resolve("set");
        Path questionsFile = set.resolve("slide-questions.jsonl");
        // patches at the world's own tile scale: its tiles are imageSize pixels at this many microns per pixel
        int patch = settings.imageSize();
        double mpp = new TileRenderer(patch).micronsPerPixel();
        TilingOptions tiling = TilingOptions.defaults().withPatchSize(patch)
                .withResolution(TilingOptions.Resolution.mpp(mpp)).withMinTissueFraction(0.5);
        TileSelector.Rule rule = TileSelector.Rule.TISSUE_DIVERSE;
        if (!Files.isRegularFile(questionsFile)) {
            SyntheticSlideSet.write(SynthWorld.builtIn(), set, new SyntheticSlideSet.Options(size.slides(),
                    settings.seed(), new SyntheticSlides.Options(size.side(), size.side(), 2, 1), size.k(), patch,
                    rule, List.of()), null);
        }
        List<Sample> questions = SampleJsonl.read(questionsFile);
        Path eval = dir.resolve("eval");
        List<Sample> prompts = SlideEvaluation.prompts(questions, SlideIndex.of(set.resolve("slides")),
                new SlideEvaluation.Patches(size.k(), TileSelector.chooser(rule), SyntheticSlideSet.TISSUE, tiling,
                        SlideBackend.JAVA), eval, false, null);
        EvalOptions options = EvalOptions.DEFAULTS.withStyle(PromptStyle.COT)
                .withMaxNewTokens(settings.evalMaxNewTokens()).withBatchSize(Math.max(1, settings.evalBatchSize() / 4))
                .withOutDir(eval).withScoring(ScoreOptions.DEFAULTS.withExtraction(settings.extraction()))
                .withProgress(progress).withExamples(4).withDataName(questionsFile.toString());
        EvalResult result;
        try (CheckpointBundle ckpt = CheckpointBundle.open(model)) {
            result = SlideEvaluation.evaluate(ckpt, options.withModelName(stage), prompts);
        }
        org.pathoreason.eval.report.EvalReport.write(result, options.examples());
        Scores s = score(ws, stage, size, patch, mpp, rule, prompts, result.score().items(), Workspace.seconds(t0));
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(s) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log.printf(Locale.ROOT, "%s: %.1f s; %s%n", tag, s.seconds(), summary(s));
        return s;
    }

    private static Scores score(Workspace ws, String stage, Size size, int patch, double mpp, TileSelector.Rule rule,
            List<Sample> prompts, List<ScoredItem> items, double seconds) {
        double credit = 0;
        double right = 0;
        double chance = 0;
        Map<String, double[]> subsets = new TreeMap<>();
        Map<String, Boolean> correct = new LinkedHashMap<>();
        for (ScoredItem it : items) {
            double guess = 1.0 / Math.max(1, it.sample().options().size());
            chance += guess;
            double c = it.isMiss() ? guess : Boolean.TRUE.equals(it.correct()) ? 1 : 0;
            credit += c;
            right += !it.isMiss() && Boolean.TRUE.equals(it.correct()) ? 1 : 0;
            double[] sub = subsets.computeIfAbsent(String.valueOf(it.sample().subset()), k -> new double[2]);
            sub[0] += c;
            sub[1]++;
            correct.put(it.id(), !it.isMiss() && Boolean.TRUE.equals(it.correct()));
        }
        Map<String, Double> subsetAccuracy = new TreeMap<>();
        subsets.forEach((k, v) -> subsetAccuracy.put(k, v[0] / v[1]));
        int n = Math.max(1, items.size());
        return new Scores(stage, size.slides(), items.size(), size.k(), patch, mpp,
                rule.name().toLowerCase(Locale.ROOT).replace('_', '-'), credit / n, right / n, chance / n,
                subsetAccuracy, seconds, thumbnails(ws, prompts, correct));
    }

    /** Per slide: a thumbnail with each question's patches outlined (diagnosis yellow, finding cyan). */
    private static List<SlideRow> thumbnails(Workspace ws, List<Sample> prompts, Map<String, Boolean> correct) {
        Map<String, List<Sample>> bySlide = new LinkedHashMap<>();
        for (Sample p : prompts) {
            bySlide.computeIfAbsent(p.meta().get("slide_file").toString(), f -> new ArrayList<>()).add(p);
        }
        List<SlideRow> rows = new ArrayList<>();
        Path thumbs = ws.stageDir(NAME).resolve("thumbs");
        for (Map.Entry<String, List<Sample>> e : bySlide.entrySet()) {
            Path slideFile = Path.of(e.getKey());
            String id = org.pathoreason.wsi.Tiler.name(slideFile);
            Map<String, List<List<Long>>> patches = new LinkedHashMap<>();
            Map<String, Boolean> right = new LinkedHashMap<>();
            Path png = thumbs.resolve(id + ".png");
            try (Slide slide = Slides.open(slideFile, SlideBackend.JAVA)) {
                BufferedImage t = slide.thumbnail(480, 480);
                double scale = (double) t.getWidth() / slide.level(0).width();
                Graphics2D g = t.createGraphics();
                g.setStroke(new BasicStroke(2f));
                for (Sample p : e.getValue()) {
                    @SuppressWarnings("unchecked")
                    List<List<Number>> coords = (List<List<Number>>) p.meta().get("tile_coords");
                    int side = ((Number) p.meta().get("tile_size_level0")).intValue();
                    boolean finding = "slide_finding".equals(p.subset());
                    g.setColor(finding ? new Color(0, 190, 220) : new Color(240, 200, 0));
                    // the finding question's outlines inset, so that a patch shown for both keeps both colours
                    int inset = finding ? 3 : 0;
                    List<List<Long>> list = new ArrayList<>();
                    for (List<Number> c : coords) {
                        long x = c.get(0).longValue();
                        long y = c.get(1).longValue();
                        list.add(List.of(x, y));
                        int px = (int) Math.round(side * scale);
                        g.drawRect((int) Math.round(x * scale) + inset, (int) Math.round(y * scale) + inset,
                                Math.max(2, px - 2 * inset), Math.max(2, px - 2 * inset));
                    }
                    patches.put(p.id(), list);
                    right.put(p.id(), correct.getOrDefault(p.id(), false));
                }
                g.dispose();
                AtomicFiles.write(png, out -> ImageIO.write(t, "png", out));
            }
            Object diagnosis = e.getValue().get(0).meta().get("diagnosis");
            rows.add(new SlideRow(id, diagnosis == null ? "" : diagnosis.toString(),
                    ws.root().relativize(png).toString().replace('\\', '/'), patches, right));
        }
        return rows;
    }

    static String summary(Scores s) {
        return String.format(Locale.ROOT, "slide-question accuracy %.3f (no guess %.3f, chance %.3f) on %d questions "
                + "about %d slides, %d patches each", s.accuracy(), s.accuracyNoGuess(), s.chance(), s.questions(),
                s.slides(), s.k());
    }

    static Scores read(Path file) {
        try {
            return Json.MAPPER.readValue(file.toFile(), Scores.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static ObjectNode toJson(Scores s) {
        return Json.MAPPER.valueToTree(s);
    }

    /** The report's slide section. */
    static void html(org.pathoreason.eval.report.HtmlReport html, Scores s) {
        html.section("Slide stage");
        html.paragraph(String.format(Locale.ROOT, "%d synthetic whole slides (pyramidal TIFFs; two pieces of tissue "
                + "painted with the slide diagnosis's findings, one of normal tissue), each asked its diagnosis and "
                + "one finding it shows, as multiple choice. The %s stage's model sees %d patches a slide (%d px at "
                + "%.3f um/pixel, the world's own tile scale), chosen by the %s rule, in one multi-image prompt; "
                + "scored as the stages are (a miss counts as a uniform guess).", s.slides(), s.model(), s.k(),
                s.patchSize(), s.patchMpp(), s.rule()));
        List<List<Object>> rows = new ArrayList<>();
        rows.add(List.of("all", s.questions(), s.accuracy(), s.accuracyNoGuess(), s.chance()));
        s.subsetAccuracy().forEach((k, v) -> rows.add(List.of(k, "", v, "", "")));
        html.table(List.of("questions", "n", "accuracy", "no guess", "chance"), rows);
        for (SlideRow r : s.rows()) {
            StringBuilder caption = new StringBuilder(r.id() + " (" + r.diagnosis() + "): ");
            r.correct().forEach((q, ok) -> caption.append(q.substring(q.lastIndexOf('-') + 1)).append(ok ? " right; "
                    : " wrong; "));
            caption.append("patches shown for the diagnosis question in yellow, for the finding question in cyan (inset)");
            html.image(r.thumbnail(), caption.toString());
        }
        html.paragraph("Predictions and the per-question report: slides/eval/ (predictions.jsonl, metrics.json, "
                + "report.html); the slides and their questions: slides/set/.");
    }
}

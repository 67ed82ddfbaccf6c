package org.pathoreason.pipeline;

import org.pathoreason.data.Task;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.eval.EvalOptions;
import org.pathoreason.eval.Prediction;
import org.pathoreason.eval.Predictions;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.ScoredItem;
import org.pathoreason.eval.Scorer;
import org.pathoreason.eval.report.HtmlReport;
import org.pathoreason.eval.report.Plots;
import org.pathoreason.eval.report.Thumbnails;
import org.pathoreason.train.MetricsLog;

/**
 * The pipeline's {@code report.html}: one table of every stage's test figures, a chart of them, the training
 * curves of each trained stage (from its {@code metrics.jsonl}) and a few test images with what each stage wrote
 * about them. Everything is read back from the stage folders, so the report can be made again at any time.
 */
final class PipelineReport {

    static final String FILE = "report.html";
    /** Training metrics drawn per stage kind: one chart per metric, one line per stage. */
    private static final Map<StageKind, List<String>> CURVES = Map.of(
            StageKind.PRETRAIN, List.of("loss"),
            StageKind.SFT, List.of("loss"),
            StageKind.GRPO, List.of("reward", "accuracy", "format_rate", "reward/process", "reward/entity",
                    "response_length"));

    private PipelineReport() {
    }

    static Path write(Workspace ws, String title, String intro, List<StageSpec> stages, List<StageScores> scores,
            SlideStage.Scores slides, ClipStage.Scores clip, List<ClaimTests.ClaimResult> claims, double wallSeconds) {
        Path root = ws.root();
        HtmlReport html = new HtmlReport(title);
        html.section("What ran").paragraph(intro);
        PipelineSettings s = ws.settings();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("preset", s.preset());
        setup.put("seed", s.seed());
        setup.put("world", String.format(Locale.ROOT, "%d pretrain, %d sft, %d rl, %d test samples; %dx%d images",
                s.pretrainSamples(), s.sftSamples(), s.rlSamples(), s.testSamples(), s.imageSize(), s.imageSize()));
        setup.put("reasoning targets", s.conciseReasoning() ? "shortened (ConciseReasoning)" : "the world's full ones");
        setup.put("answers", PipelineSettings.TEXT.equals(s.answerStyle())
                ? "option text in <answer>, read by the lenient rule (text -> option letter)"
                : "option letter in <answer>, read by PathVLM-R1's strict rule");
        setup.put("evaluation", "greedy, chain-of-thought prompt, at most " + s.evalMaxNewTokens() + " new tokens");
        setup.put("wall time", String.format(Locale.ROOT, "%.0f s", wallSeconds));
        html.keyValues(setup);

        html.section("Test results per stage");
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            StageSpec spec = stages.get(i);
            StageScores sc = scores.get(i);
            rows.add(List.of(spec.name(), spec.description(), sc.accuracy(), sc.accuracyNoGuess(), sc.formatRate(),
                    sc.entityScore(), sc.judgeScore(), sc.meanOutputTokens(), Math.round(sc.trainSeconds()),
                    Math.round(sc.evalSeconds())));
        }
        html.table(List.of("stage", "what", "accuracy", "acc. no guess", "format", "entity", "judge", "tokens",
                "train s", "eval s"), rows, bestAccuracy(scores));
        html.paragraph(String.format(Locale.ROOT, "Accuracy is over the %d closed questions (multiple choice and "
                + "yes/no) of the %d test samples; an answer that cannot be read from <answer> counts as a uniform "
                + "guess (chance is %.3f); 'no guess' counts it wrong. Format: the completion is exactly "
                + "<think>..</think><answer>..</answer>. Entity: soft Dice of the graph entities named in the "
                + "reasoning. Judge: the knowledge-graph rubric judge's process score (mean of integrity and "
                + "knowledge; empty reasoning keeps full knowledge). "
                + "Tokens: mean generated tokens.", scores.get(0).nClosed(), scores.get(0).n(),
                scores.get(0).chance()));
        List<String> subsets = subsets(scores);
        if (!subsets.isEmpty()) {
            List<List<Object>> subsetRows = new ArrayList<>();
            for (StageScores sc : scores) {
                List<Object> row = new ArrayList<>();
                row.add(sc.name());
                for (String k : subsets) {
                    Double v = sc.subsetAccuracy().get(k);
                    row.add(v);
                }
                subsetRows.add(row);
            }
            List<String> header = new ArrayList<>();
            header.add("stage");
            header.addAll(subsets);
            html.table(header, subsetRows);
            html.paragraph("Accuracy per kind of closed question (same rule as above). A stage can help one kind "
                    + "and hurt another; the overall figure hides it.");
        }
        if (slides != null) {
            SlideStage.html(html, slides);
        }
        if (clip != null) {
            clipSection(html, clip);
        }
        if (!claims.isEmpty()) {
            ClaimTests.html(html, claims);
        }
        Path plots = root.resolve("plots");
        Path chart = plots.resolve("stages.png");
        List<String> names = stages.stream().map(StageSpec::name).toList();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("accuracy", scores.stream().map(StageScores::accuracy).toList());
        series.put("format", scores.stream().map(StageScores::formatRate).toList());
        series.put("entity", scores.stream().map(StageScores::entityScore).toList());
        series.put("judge", scores.stream().map(StageScores::judgeScore).toList());
        Plots.groupedBar(chart, "Test figures per stage", "score", names, series);
        html.image(root.relativize(chart).toString(), "Accuracy, format rate, entity and judge score per stage");

        html.section("Training curves");
        for (StageKind kind : List.of(StageKind.PRETRAIN, StageKind.SFT, StageKind.GRPO)) {
            for (String metric : CURVES.get(kind)) {
                Map<String, double[][]> lines = new LinkedHashMap<>();
                for (StageSpec spec : stages) {
                    Path metrics = ws.stageDir(spec.name()).resolve(StageTrainers.METRICS);
                    if (spec.kind() == kind && Files.isRegularFile(metrics)) {
                        double[][] xy = MetricsLog.series(metrics, metric);
                        if (xy[0].length > 0) {
                            lines.put(spec.name(), xy);
                        }
                    }
                }
                if (!lines.isEmpty()) {
                    Path png = plots.resolve(kind.id() + "-" + metric.replace('/', '_') + ".png");
                    Plots.lines(png, kind.id() + ": " + metric, "step", metric, lines);
                    html.image(root.relativize(png).toString(), kind.id() + " " + metric + " per step ("
                            + String.join(", ", lines.keySet()) + ")");
                }
            }
        }

        examples(html, ws, stages);
        Path file = root.resolve(FILE);
        html.write(file);
        return file;
    }

    /** Bold for the best accuracy (column 2). */
    /** The CLIP stage's figures and links to its own reports. */
    private static void clipSection(HtmlReport html, ClipStage.Scores c) {
        html.section("CLIP stage");
        html.paragraph(String.format(Locale.ROOT, "A CLIP dual encoder trained from scratch on %d of the world's "
                + "caption pairs (%d held out) in %.0f s. Zero-shot: the %d test tiles classified by their closest "
                + "diagnosis, each diagnosis embedded from its name and synonyms in %d templates. Retrieval: the "
                + "held-out pairs, both ways. Probe: logistic regression from the training captions' images to the "
                + "test tiles.", c.trainPairs(), c.heldOutPairs(), c.trainSeconds(), c.testImages(),
                org.pathoreason.eval.clip.ZeroShotPrompts.DEFAULT_TEMPLATES.size()));
        Map<String, Double> i2t = c.retrieval().get("image_to_text");
        Map<String, Double> t2i = c.retrieval().get("text_to_image");
        html.table(List.of("measure", "value", "chance"), List.of(
                List.of("zero-shot accuracy", c.zeroShotAccuracy(), c.zeroShotChance()),
                List.of("zero-shot balanced accuracy", c.balancedAccuracy(), c.zeroShotChance()),
                List.of("zero-shot macro AUROC", c.macroAuroc(), 0.5),
                List.of("image to text R@1 / R@5 / R@10", String.format(Locale.ROOT, "%.3f / %.3f / %.3f",
                        i2t.get("R@1"), i2t.get("R@5"), i2t.get("R@10")), c.retrievalChanceAt1()),
                List.of("text to image R@1 / R@5 / R@10", String.format(Locale.ROOT, "%.3f / %.3f / %.3f",
                        t2i.get("R@1"), t2i.get("R@5"), t2i.get("R@10")), c.retrievalChanceAt1()),
                List.of("linear probe balanced accuracy", c.linearProbeBalancedAccuracy(), c.zeroShotChance()),
                List.of("1-shot probe balanced accuracy", c.fewShotBalancedAccuracyK1(), c.zeroShotChance())));
        html.paragraph("Reports: clip/eval/zeroshot/report.html (confusion matrix), clip/eval/retrieval/report.html, "
                + "clip/eval/probe/report.html (few-shot curve); training metrics in clip/run/metrics.jsonl.");
        html.image("clip/run/plots/loss.png", "CLIP training loss (symmetric cross-entropy over the batch)");
        html.image("clip/eval/zeroshot/plots/confusion.png", "CLIP zero-shot confusion matrix on the test tiles");
        html.image("clip/eval/retrieval/plots/recall.png", "CLIP retrieval recall@K on the held-out pairs");
    }

    private static boolean[][] bestAccuracy(List<StageScores> scores) {
        boolean[][] bold = new boolean[scores.size()][10];
        double best = scores.stream().mapToDouble(StageScores::accuracy).max().orElse(0);
        for (int i = 0; i < scores.size(); i++) {
            bold[i][2] = scores.get(i).accuracy() == best;
        }
        return bold;
    }

    /** The first test sample of each question kind, each with every stage's completion. */
    private static void examples(HtmlReport html, Workspace ws, List<StageSpec> stages) {
        List<Sample> test = SampleJsonl.read(ws.testFile());
        List<Sample> chosen = new ArrayList<>();
        Set<String> kinds = new LinkedHashSet<>();
        for (Sample s : test) {
            if (kinds.add(s.task() + "/" + s.subset())) {
                chosen.add(s);
            }
        }
        html.section("Examples: what each stage wrote");
        Map<String, Map<String, ScoredItem>> byStage = new LinkedHashMap<>();
        for (StageSpec spec : stages) {
            Path file = ws.stageDir(spec.name()).resolve(StageEvaluator.EVAL).resolve(EvalOptions.PREDICTIONS);
            Map<String, ScoredItem> items = new LinkedHashMap<>();
            if (Files.isRegularFile(file)) {
                List<Prediction> all = Predictions.read(file);
                Map<String, Prediction> byId = new LinkedHashMap<>();
                all.forEach(p -> byId.put(p.id(), p));
                List<Sample> have = chosen.stream().filter(c -> byId.containsKey(c.id())).toList();
                List<Prediction> preds = have.stream().map(c -> byId.get(c.id())).toList();
                for (ScoredItem it : new Scorer(ScoreOptions.DEFAULTS.withExtraction(ws.settings().extraction()))
                        .score(have, preds).items()) {
                    items.put(it.id(), it);
                }
            }
            byStage.put(spec.name(), items);
        }
        for (Sample s : chosen) {
            String image = null;
            if (!s.images().isEmpty()) {
                Path png = ws.root().resolve("examples").resolve(s.id() + ".png");
                if (Thumbnails.write(SampleJsonl.resolveImage(ws.testFile(), s.images().get(0)), png, 224)) {
                    image = ws.root().relativize(png).toString();
                }
            }
            boolean first = true;
            for (StageSpec spec : stages) {
                ScoredItem it = byStage.get(spec.name()).get(s.id());
                if (it == null) {
                    continue;
                }
                html.example(new HtmlReport.Example(s.id() + " \u00b7 " + spec.name(), first ? image : null,
                        first ? s.question() : "(" + spec.description() + ")", first ? s.options() : List.of(),
                        gold(s), it.prediction().prediction(), it.correct(), it.extraction().value()));
                first = false;
            }
        }
    }

    private static String gold(Sample s) {
        return Task.MCQ.equals(s.task()) ? s.answer() + ". " + s.answerText() : s.answer();
    }

    /** The question subsets any stage has figures for, in name order. */
    static List<String> subsets(List<StageScores> scores) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>();
        scores.forEach(sc -> all.addAll(sc.subsetAccuracy().keySet()));
        return List.copyOf(all);
    }
}

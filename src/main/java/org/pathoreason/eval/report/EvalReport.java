package org.pathoreason.eval.report;

import org.pathoreason.data.Task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.data.Sample;
import org.pathoreason.eval.MetricSet;
import org.pathoreason.eval.QuestionOutcome;
import org.pathoreason.eval.ScoreReport;
import org.pathoreason.eval.ScoreResult;
import org.pathoreason.eval.ScoredItem;
import org.pathoreason.text.metrics.PythonStrings;

/**
 * Writes the outputs of a scored evaluation into a folder: {@code metrics.json} (the {@link ScoreReport}),
 * {@code questions.jsonl} (each question's outcome, {@link QuestionOutcome}, for paired comparisons),
 * {@code report.html} (overview, tables per subset, task and question type, charts, example reasonings),
 * {@code plots/*.png} and {@code examples/*.png} (thumbnails of the example images). Used by {@code eval} and by
 * {@code score --report}.
 */
public final class EvalReport {

    /**
     * What the report shows besides the scores.
     *
     * @param title page title
     * @param examples how many example reasonings to show (wrong ones first, then right ones)
     * @param imageBase the folder relative sample image paths are resolved against; null shows no images
     * @param info extra overview lines (model, data file, prompt style, ...)
     */
    /** Writes {@code report.html} for a finished evaluation into its output folder. */
    public static void write(org.pathoreason.eval.EvalResult result, int examples) {
        if (result.outDir() == null) {
            throw new IllegalArgumentException("an in-memory evaluation has no folder to write a report into");
        }
        write(result.outDir(), result.score(), new Options(result.title(), examples, result.imageBase(),
                result.details()));
    }

    public record Options(String title, int examples, Path imageBase, Map<String, Object> info) {

        public Options {
            info = info == null ? Map.of() : new LinkedHashMap<>(info);
        }
    }

    private EvalReport() {
    }

    /** Writes everything; returns the HTML file. */
    public static Path write(Path outDir, ScoreResult result, Options options) {
        ScoreReport rep = result.report();
        rep.write(outDir.resolve("metrics.json"));
        QuestionOutcome.write(outDir.resolve(QuestionOutcome.FILE),
                result.items().stream().map(QuestionOutcome::of).toList());
        HtmlReport html = new HtmlReport(options.title());

        html.section("Overview");
        Map<String, Object> overview = new LinkedHashMap<>(options.info());
        MetricSet all = rep.overall();
        overview.put("items scored", all.n());
        if (all.accuracy() != null) {
            overview.put("accuracy (%)", pct(all.accuracy()));
            overview.put("correct / closed questions", all.correct() + " / " + all.nClosed());
        }
        if (all.extractionMisses() != null) {
            overview.put("extraction misses", all.extractionMisses());
        }
        overview.put("predictions without <answer> tag", all.noAnswerTag());
        putIfSet(overview, "BLEU-1 (%)", pct(all.bleu1()));
        putIfSet(overview, "BLEU-2 (%)", pct(all.bleu2()));
        putIfSet(overview, "BLEU-3 (%)", pct(all.bleu3()));
        putIfSet(overview, "BLEU-4 (%)", pct(all.bleu4()));
        putIfSet(overview, "ROUGE-L (%)", pct(all.rougeL()));
        putIfSet(overview, "token F1 (%)", pct(all.tokenF1()));
        putIfSet(overview, "exact match (%)", pct(all.exactMatch()));
        putIfSet(overview, "mean output tokens", all.meanOutputTokens());
        overview.put("answer extraction", rep.extraction() + (rep.randomFallback() ? " (PathMMU random fallback)" : ""));
        overview.put("text-overlap tokenisation", rep.captionTokenizer());
        html.keyValues(overview);
        if (rep.unmatched() != null) {
            ScoreReport.Unmatched u = rep.unmatched();
            html.paragraph(u.samplesWithoutPrediction() + " sample(s) had no prediction and were not scored"
                    + (u.missingIds().isEmpty() ? "" : " (e.g. " + String.join(", ", u.missingIds()) + ")") + "; "
                    + u.predictionsWithoutSample() + " prediction(s) named no sample"
                    + (u.unknownIds().isEmpty() ? "" : " (e.g. " + String.join(", ", u.unknownIds()) + ")") + ".");
        }

        Path plots = outDir.resolve("plots");
        groupSection(html, "By subset", "subset", rep.subsets());
        Map<String, Double> subsetAcc = new LinkedHashMap<>();
        rep.subsets().forEach((k, v) -> {
            if (v.accuracy() != null) {
                subsetAcc.put(k, 100 * v.accuracy());
            }
        });
        if (!subsetAcc.isEmpty()) {
            Plots.bar(plots.resolve("subset-accuracy.png"), "Accuracy per subset", "accuracy (%)", subsetAcc);
            html.image("plots/subset-accuracy.png", "Accuracy per subset (%)");
        }
        if (rep.tasks().size() > 1) {
            groupSection(html, "By task", "task", rep.tasks());
        }
        if (!rep.questionTypes().isEmpty()) {
            groupSection(html, "By question type", "question type", rep.questionTypes());
        }
        if (rep.confusion() != null) {
            html.section("Diagnosis confusion matrix");
            html.paragraph(String.format(java.util.Locale.ROOT, "Rows are gold diagnoses, columns the diagnoses read "
                    + "from the answers; balanced accuracy %.2f%%.", 100 * rep.confusion().balancedAccuracy()));
            Plots.confusion(plots.resolve("confusion.png"), "Diagnosis confusion", rep.confusion());
            html.image("plots/confusion.png", "Confusion matrix of diagnosis questions");
        }
        lengthSection(html, plots, result.items());
        examplesSection(html, outDir, result.items(), options);
        Path file = outDir.resolve("report.html");
        html.write(file);
        return file;
    }

    private static void groupSection(HtmlReport html, String title, String column, Map<String, MetricSet> groups) {
        if (groups.isEmpty()) {
            return;
        }
        html.section(title);
        boolean text = groups.values().stream().anyMatch(g -> g.nOpen() > 0);
        List<String> header = new ArrayList<>(List.of(column, "n", "accuracy (%)", "misses"));
        if (text) {
            header.addAll(List.of("BLEU-1 (%)", "BLEU-4 (%)", "ROUGE-L (%)", "token F1 (%)"));
        }
        header.add("mean output tokens");
        List<List<Object>> rows = new ArrayList<>();
        groups.forEach((name, g) -> {
            List<Object> row = new ArrayList<>(List.of(name, g.n()));
            row.add(pct(g.accuracy()));
            row.add(g.extractionMisses());
            if (text) {
                row.add(pct(g.bleu1()));
                row.add(pct(g.bleu4()));
                row.add(pct(g.rougeL()));
                row.add(pct(g.tokenF1()));
            }
            row.add(g.meanOutputTokens());
            rows.add(row);
        });
        html.table(header, rows);
    }

    private static void lengthSection(HtmlReport html, Path plots, List<ScoredItem> items) {
        List<Double> tokens = new ArrayList<>();
        for (ScoredItem it : items) {
            if (it.prediction().outputTokens() != null) {
                tokens.add(it.prediction().outputTokens().doubleValue());
            }
        }
        boolean counted = !tokens.isEmpty();
        if (!counted) {
            for (ScoredItem it : items) {
                tokens.add((double) PythonStrings.split(it.prediction().prediction()).size());
            }
        }
        if (tokens.isEmpty()) {
            return;
        }
        String what = counted ? "output tokens" : "words per completion";
        html.section("Response length");
        Plots.histogram(plots.resolve("lengths.png"), "Response length", what,
                tokens.stream().mapToDouble(Double::doubleValue).toArray(), Math.min(30, Math.max(5, tokens.size() / 4)));
        html.image("plots/lengths.png", "Histogram of " + what);
    }

    private static void examplesSection(HtmlReport html, Path outDir, List<ScoredItem> items, Options options) {
        if (options.examples() <= 0 || items.isEmpty()) {
            return;
        }
        List<ScoredItem> chosen = chooseExamples(items, options.examples());
        html.section("Examples");
        int n = 0;
        for (ScoredItem it : chosen) {
            Sample s = it.sample();
            String image = null;
            if (options.imageBase() != null && !s.images().isEmpty()) {
                Path src = Path.of(s.images().get(0)).isAbsolute() ? Path.of(s.images().get(0))
                        : options.imageBase().resolve(s.images().get(0));
                String rel = "examples/" + n + ".png";
                if (Thumbnails.write(src, outDir.resolve(rel), 384)) {
                    image = rel;
                }
            }
            String gold = Task.MCQ.equals(s.task()) ? s.answer() + ") " + s.options().get(Sample.letterIndex(s.answer()))
                    : it.reference() != null ? it.reference() : s.answer();
            String read = it.extraction().value() == null ? "(no answer)" : it.extraction().value()
                    + switch (it.extraction().status()) {
                        case RANDOM_FALLBACK -> " (random fallback)";
                        case UNTAGGED -> " (no answer tag: whole text)";
                        default -> "";
                    };
            html.example(new HtmlReport.Example(s.id(), image, s.question(), s.options(), gold,
                    it.prediction().prediction(), it.correct(), read));
            n++;
        }
    }

    /** Wrong answers first (they teach most), then right ones, in sample order, up to {@code max} in all. */
    static List<ScoredItem> chooseExamples(List<ScoredItem> items, int max) {
        List<ScoredItem> wrong = new ArrayList<>();
        List<ScoredItem> right = new ArrayList<>();
        for (ScoredItem it : items) {
            (Boolean.TRUE.equals(it.correct()) ? right : wrong).add(it);
        }
        int takeWrong = Math.min(wrong.size(), Math.max(max / 2, max - right.size()));
        List<ScoredItem> out = new ArrayList<>(wrong.subList(0, takeWrong));
        out.addAll(right.subList(0, Math.min(right.size(), max - takeWrong)));
        return out;
    }

    private static Double pct(Double fraction) {
        return fraction == null ? null : 100 * fraction;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}

package org.pathoreason.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pathoreason.data.DataException;
import org.pathoreason.eval.QuestionOutcome;
import org.pathoreason.eval.stats.PairedTests;
import org.pathoreason.util.Json;

/**
 * Compares runs the way the papers' tables compare model variants: one row per run, one column per metric, the
 * best value of each column in bold, and a bar chart of accuracy per subset and run.
 *
 * <p>A run is a folder holding {@code metrics.json}, or {@code eval/metrics.json} (where {@code eval} writes it
 * inside a training run); a path to a metrics JSON file itself is accepted too. The metrics file is a
 * {@link org.pathoreason.eval.ScoreReport}. Where every run has a {@code questions.jsonl} beside it, each run is
 * also compared with the first question by question ({@link #paired}).
 */
public final class RunComparison {

    /** Top-level metrics in table order, with whether higher is better (null: no "best"). */
    private static final Map<String, Boolean> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("n", null);
        COLUMNS.put("accuracy", true);
        COLUMNS.put("extraction_misses", false);
        COLUMNS.put("bleu_1", true);
        COLUMNS.put("bleu_2", true);
        COLUMNS.put("bleu_3", true);
        COLUMNS.put("bleu_4", true);
        COLUMNS.put("rouge_l", true);
        COLUMNS.put("token_f1", true);
        COLUMNS.put("exact_match", true);
        COLUMNS.put("mean_output_tokens", null);
    }

    /** Rates shown as percentages. */
    private static final Set<String> RATES = Set.of("accuracy", "bleu_1", "bleu_2", "bleu_3", "bleu_4", "rouge_l",
            "token_f1", "exact_match");

    /** One run: its display name, folder and metrics. */
    public record Run(String name, Path metricsFile, JsonNode metrics) {

        /** The per-question outcomes beside the metrics file ({@code questions.jsonl}), if there are any. */
        public Path questionsFile() {
            return metricsFile.toAbsolutePath().getParent().resolve(QuestionOutcome.FILE);
        }
    }

    /**
     * A run's accuracy against the first run's on the closed questions both answered: the paired difference
     * (run - first) with its 95% paired bootstrap interval, and McNemar's exact test.
     *
     * @param n closed questions in both runs
     * @param onlyFirst questions only the first run got right
     * @param onlyRun questions only this run got right
     */
    public record Paired(String first, String run, int n, double firstAccuracy, double runAccuracy,
            PairedTests.Interval difference, int onlyFirst, int onlyRun, double mcnemarP) {
    }

    private RunComparison() {
    }

    /** The metrics file of a run folder: {@code metrics.json}, else {@code eval/metrics.json}. */
    public static Path metricsFile(Path run) {
        if (Files.isRegularFile(run)) {
            return run;
        }
        for (Path p : List.of(run.resolve("metrics.json"), run.resolve("eval").resolve("metrics.json"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new DataException(run + ": no metrics.json or eval/metrics.json (run 'pathoreason eval' or "
                + "'pathoreason score --json' first)");
    }

    public static List<Run> load(List<Path> runs) {
        List<Run> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path dir : runs) {
            Path file = metricsFile(dir);
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                throw new DataException(file + ": not readable JSON: " + e.getMessage(), e);
            }
            if (n == null || !n.isObject()) {
                throw new DataException(file + ": expected a metrics object");
            }
            Path abs = dir.toAbsolutePath().normalize();
            String name = Files.isRegularFile(abs) ? abs.getParent().getFileName().toString()
                    : abs.getFileName().toString();
            if (!names.add(name)) {
                name = dir.toString();
                names.add(name);
            }
            out.add(new Run(name, file, n));
        }
        return out;
    }

    /**
     * Every run after the first against the first, question by question, where every run has a
     * {@code questions.jsonl} (written by {@code eval} and {@code score --report}); empty otherwise. A question's
     * score is its verdict as in {@code metrics.json}'s accuracy (right 1, wrong or unreadable 0).
     *
     * @throws DataException when two runs share no closed question
     */
    public static List<Paired> paired(List<Run> runs) {
        if (runs.size() < 2 || !runs.stream().allMatch(r -> Files.isRegularFile(r.questionsFile()))) {
            return List.of();
        }
        Map<String, Boolean> first = closedVerdicts(runs.get(0));
        List<Paired> out = new ArrayList<>();
        for (int r = 1; r < runs.size(); r++) {
            Map<String, Boolean> other = closedVerdicts(runs.get(r));
            List<String> common = first.keySet().stream().filter(other::containsKey).toList();
            if (common.isEmpty()) {
                throw new DataException(runs.get(r).questionsFile() + " and " + runs.get(0).questionsFile()
                        + " share no closed question: the runs answered different data");
            }
            double[] x = new double[common.size()];
            double[] y = new double[common.size()];
            int onlyFirst = 0;
            int onlyRun = 0;
            for (int i = 0; i < common.size(); i++) {
                boolean a = first.get(common.get(i));
                boolean b = other.get(common.get(i));
                x[i] = a ? 1 : 0;
                y[i] = b ? 1 : 0;
                onlyFirst += a && !b ? 1 : 0;
                onlyRun += b && !a ? 1 : 0;
            }
            out.add(new Paired(runs.get(0).name(), runs.get(r).name(), common.size(), PairedTests.mean(x),
                    PairedTests.mean(y), PairedTests.bootstrapMeanDifference(x, y, PairedTests.RESAMPLES,
                            PairedTests.LEVEL, r), onlyFirst, onlyRun, PairedTests.mcnemarExact(onlyFirst, onlyRun)));
        }
        return out;
    }

    private static Map<String, Boolean> closedVerdicts(Run run) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (QuestionOutcome q : QuestionOutcome.read(run.questionsFile())) {
            if (q.isClosed()) {
                out.put(q.id(), q.correct());
            }
        }
        return out;
    }

    /** The paired comparisons as plain text, one line per run. */
    public static String pairedTable(List<Paired> paired) {
        StringBuilder sb = new StringBuilder();
        for (Paired p : paired) {
            sb.append(String.format(Locale.ROOT, "%s - %s: accuracy %+.3f [%+.3f, %+.3f] over %d paired closed "
                    + "questions (%.3f -> %.3f); McNemar %d/%d p=%.4f%n", p.run(), p.first(),
                    p.difference().estimate(), p.difference().low(), p.difference().high(), p.n(),
                    p.firstAccuracy(), p.runAccuracy(), p.onlyFirst(), p.onlyRun(), p.mcnemarP()));
        }
        return sb.toString();
    }

    /** Writes the comparison page (and {@code plots/runs-subset-accuracy.png} beside it); returns the page. */
    public static Path write(List<Run> runs, Path html, String title) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to compare");
        }
        List<String> metricCols = new ArrayList<>();
        for (String c : COLUMNS.keySet()) {
            if (runs.stream().anyMatch(r -> r.metrics().path(c).isNumber())) {
                metricCols.add(c);
            }
        }
        Set<String> subsets = new LinkedHashSet<>();
        for (Run r : runs) {
            for (Iterator<String> it = r.metrics().path("subsets").fieldNames(); it.hasNext(); ) {
                String s = it.next();
                if (r.metrics().path("subsets").path(s).path("accuracy").isNumber()) {
                    subsets.add(s);
                }
            }
        }
        List<String> header = new ArrayList<>();
        header.add("run");
        for (String c : metricCols) {
            header.add(RATES.contains(c) ? c + " (%)" : c);
        }
        for (String s : subsets) {
            header.add(s + " acc (%)");
        }
        List<List<Object>> rows = new ArrayList<>();
        double[][] values = new double[runs.size()][header.size()];
        for (int r = 0; r < runs.size(); r++) {
            JsonNode m = runs.get(r).metrics();
            List<Object> row = new ArrayList<>();
            row.add(runs.get(r).name());
            int col = 1;
            for (String c : metricCols) {
                Double v = number(m.path(c));
                Object shown = v == null ? null : RATES.contains(c) ? (Object) (100 * v)
                        : (v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v.doubleValue() : v);
                row.add(shown);
                values[r][col++] = v == null ? Double.NaN : v;
            }
            for (String s : subsets) {
                Double v = number(m.path("subsets").path(s).path("accuracy"));
                row.add(v == null ? null : 100 * v);
                values[r][col++] = v == null ? Double.NaN : v;
            }
            rows.add(row);
        }
        boolean[][] bold = new boolean[runs.size()][header.size()];
        int col = 1;
        for (String c : metricCols) {
            markBest(values, bold, col++, COLUMNS.get(c));
        }
        for (int i = 0; i < subsets.size(); i++) {
            markBest(values, bold, col++, true);
        }
        HtmlReport page = new HtmlReport(title);
        page.section("Metrics");
        page.paragraph("Rates are percentages; the best value of each column is in bold. Metrics files: "
                + String.join(", ", runs.stream().map(r -> r.name() + " = " + r.metricsFile()).toList()) + ".");
        page.table(header, rows, bold);
        List<Paired> paired = paired(runs);
        if (!paired.isEmpty()) {
            page.section("Paired against " + runs.get(0).name());
            page.paragraph("Each run against the first on the closed questions both answered: the difference in "
                    + "accuracy (run minus first) with a 95% paired bootstrap interval (" + PairedTests.RESAMPLES
                    + " resamples of the questions), and McNemar's exact test on the questions only one of the two "
                    + "got right. An interval that holds 0, or p >= 0.05, leaves the difference undecided.");
            List<List<Object>> pr = new ArrayList<>();
            for (Paired p : paired) {
                pr.add(List.of(p.run(), p.n(), 100 * p.firstAccuracy(), 100 * p.runAccuracy(),
                        100 * p.difference().estimate(), String.format(Locale.ROOT, "[%+.1f, %+.1f]",
                                100 * p.difference().low(), 100 * p.difference().high()),
                        p.onlyFirst() + " / " + p.onlyRun(), p.mcnemarP()));
            }
            page.table(List.of("run", "paired closed questions", "first acc (%)", "run acc (%)", "difference (points)",
                    "95% bootstrap", "only first / only run right", "McNemar p"), pr);
        }
        if (!subsets.isEmpty()) {
            Map<String, List<Double>> series = new LinkedHashMap<>();
            for (Run r : runs) {
                List<Double> acc = new ArrayList<>();
                for (String s : subsets) {
                    Double v = number(r.metrics().path("subsets").path(s).path("accuracy"));
                    acc.add(v == null ? null : 100 * v);
                }
                series.put(r.name(), acc);
            }
            Path png = html.toAbsolutePath().getParent().resolve("plots").resolve("runs-subset-accuracy.png");
            Plots.groupedBar(png, "Accuracy per subset", "accuracy (%)", new ArrayList<>(subsets), series);
            page.image("plots/runs-subset-accuracy.png", "Accuracy per subset and run (%)");
        }
        page.write(html);
        return html;
    }

    private static void markBest(double[][] values, boolean[][] bold, int col, Boolean higherBetter) {
        if (higherBetter == null || values.length < 2) {
            return;
        }
        double best = Double.NaN;
        for (double[] row : values) {
            double v = row[col];
            if (!Double.isNaN(v) && (Double.isNaN(best) || (higherBetter ? v > best : v < best))) {
                best = v;
            }
        }
        for (int r = 0; r < values.length; r++) {
            bold[r][col] = !Double.isNaN(best) && values[r][col] == best;
        }
    }

    private static Double number(JsonNode n) {
        return n != null && n.isNumber() ? n.asDouble() : null;
    }
}

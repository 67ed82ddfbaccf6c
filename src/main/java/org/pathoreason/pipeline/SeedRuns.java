package org.pathoreason.pipeline;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.TreeSet;
import java.util.Arrays;
import org.pathoreason.eval.report.HtmlReport;
import org.pathoreason.eval.stats.PairedTests;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * One pipeline (the demo or the ablation) run once per seed, each in {@code OUT/seed-N/}, then summarised per stage
 * over the seeds: mean, standard deviation, lowest and highest accuracy. With a tiny model and a few hundred test
 * questions, two RL runs that differ only in their seed can differ by several points; a difference between stages
 * means something only when it stands out of that spread. Writes {@code OUT/summary.json} and
 * {@code OUT/summary.html}; every seed's folder resumes as a single run does.
 */
public final class SeedRuns {

    public static final String SUMMARY = "summary.json";
    public static final String REPORT = "summary.html";

    /**
     * One stage over the seeds.
     *
     * @param accuracySd sample standard deviation (n - 1) over the seeds; NaN with a single seed
     * @param accuracyLow lower end of the 95% t interval of the mean accuracy over the seeds; NaN with one seed
     * @param accuracyHigh its upper end
     * @param tokensMean mean of the seeds' mean output tokens
     * @param subsetAccuracyMean mean accuracy per question subset
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StageSummary(String name, int seeds, double accuracyMean, double accuracySd, double accuracyLow,
            double accuracyHigh, double accuracyMin, double accuracyMax, double formatMean, double entityMean,
            double judgeMean, double tokensMean, Map<String, Double> subsetAccuracyMean) {
    }

    /**
     * What the runs produced: each stage's summary over the seeds and the claims tested on them.
     *
     * @param seeds the seeds summarised
     */
    public record Result(List<Long> seeds, List<StageSummary> stages, List<ClaimTests.ClaimResult> claims,
            Path summaryFile, Path reportFile) {
    }

    private SeedRuns() {
    }

    /** The folder of one seed's run. */
    public static Path seedDir(Path out, long seed) {
        return out.resolve("seed-" + seed);
    }

    /**
     * Runs the pipeline of each seed in turn, then writes the summary ({@link #summarise}).
     *
     * @param pipelineForSeed the pipeline of one seed, writing into the folder it is given
     */
    public static Result run(Path out, List<Long> seeds, String title, PipelineForSeed pipelineForSeed,
            PrintStream log) {
        checkSeeds(seeds);
        Pipeline first = null;
        for (int i = 0; i < seeds.size(); i++) {
            long seed = seeds.get(i);
            log.printf(Locale.ROOT, "== seed %d (%d of %d) ==%n", seed, i + 1, seeds.size());
            Pipeline p = pipelineForSeed.pipeline(seed, seedDir(out, seed));
            p.run();
            first = first == null ? p : first;
        }
        return summarise(out, seeds, title, first, log);
    }

    /**
     * Summarises seeds whose runs are finished in {@code OUT/seed-N/} (run here or by other processes): every
     * stage's figures over the seeds and the pipeline's claims tested on their paired per-question results; writes
     * {@code summary.json} and {@code summary.html} and prints both tables.
     *
     * @param pipeline any seed's pipeline: its stages and claims
     * @throws IllegalStateException when a seed's stage has no evaluation
     */
    public static Result summarise(Path out, List<Long> seeds, String title, Pipeline pipeline, PrintStream log) {
        checkSeeds(seeds);
        List<List<StageScores>> perSeed = new ArrayList<>();
        Map<Long, Path> dirs = new LinkedHashMap<>();
        for (long seed : seeds) {
            Path dir = seedDir(out, seed);
            dirs.put(seed, dir);
            List<StageScores> scores = new ArrayList<>();
            for (StageSpec spec : pipeline.stages()) {
                Path file = dir.resolve(spec.name()).resolve(StageEvaluator.EVAL).resolve(StageScores.FILE);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalStateException("seed " + seed + " has not finished: no " + file);
                }
                scores.add(StageScores.read(file));
            }
            perSeed.add(scores);
        }
        List<StageSummary> stages = summarise(perSeed);
        List<ClaimTests.ClaimResult> claims = ClaimTests.test(pipeline.claims(), dirs);
        Path summary = writeJson(out, seeds, stages, claims);
        Path report = writeReport(out, title, seeds, stages, claims);
        log.println();
        log.print(table(stages));
        if (!claims.isEmpty()) {
            log.printf(Locale.ROOT, "%n%s%n", CLAIMS_NOTE);
            log.print(ClaimTests.table(claims));
        }
        log.printf(Locale.ROOT, "summary: %s%nreport:  %s%n", summary, report);
        log.flush();
        return new Result(List.copyOf(seeds), stages, claims, summary, report);
    }

    static final String CLAIMS_NOTE = "claims: stage - baseline over the same test questions; per seed a 95% paired "
            + "bootstrap interval and McNemar's exact test (baseline-only/stage-only right); over seeds the mean with "
            + "a 95% t interval";

    private static void checkSeeds(List<Long> seeds) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no seeds given");
        }
        if (seeds.stream().distinct().count() != seeds.size()) {
            throw new IllegalArgumentException("seeds repeat: " + seeds);
        }
    }

    /** Makes one seed's pipeline writing into a folder. */
    @FunctionalInterface
    public interface PipelineForSeed {
        Pipeline pipeline(long seed, Path dir);
    }

    /**
     * Per stage, in the order of the first seed's stages, the figures over every seed.
     *
     * @throws IllegalArgumentException when the seeds' runs do not have the same stages
     */
    static List<StageSummary> summarise(List<List<StageScores>> perSeed) {
        List<String> names = perSeed.get(0).stream().map(StageScores::name).toList();
        for (List<StageScores> run : perSeed) {
            List<String> these = run.stream().map(StageScores::name).toList();
            if (!these.equals(names)) {
                throw new IllegalArgumentException("the seeds' runs have different stages: " + names + " and "
                        + these);
            }
        }
        List<StageSummary> out = new ArrayList<>();
        for (int s = 0; s < names.size(); s++) {
            int stage = s;
            List<StageScores> rows = perSeed.stream().map(run -> run.get(stage)).toList();
            double[] acc = rows.stream().mapToDouble(StageScores::accuracy).toArray();
            double mean = mean(acc);
            double sd = Double.NaN;
            double low = Double.NaN;
            double high = Double.NaN;
            if (acc.length > 1) {
                double ss = 0;
                for (double a : acc) {
                    ss += (a - mean) * (a - mean);
                }
                sd = Math.sqrt(ss / (acc.length - 1));
                PairedTests.Interval t = PairedTests.tInterval(acc, PairedTests.LEVEL);
                low = t.low();
                high = t.high();
            }
            Map<String, double[]> subsets = new TreeMap<>();
            for (StageScores r : rows) {
                r.subsetAccuracy().forEach((k, v) -> {
                    double[] sum = subsets.computeIfAbsent(k, x -> new double[2]);
                    sum[0] += v;
                    sum[1]++;
                });
            }
            Map<String, Double> subsetMean = new LinkedHashMap<>();
            subsets.forEach((k, v) -> subsetMean.put(k, v[0] / v[1]));
            out.add(new StageSummary(names.get(s), rows.size(), mean, sd, low, high,
                    Arrays.stream(acc).min().orElse(Double.NaN),
                    Arrays.stream(acc).max().orElse(Double.NaN),
                    mean(rows.stream().mapToDouble(StageScores::formatRate).toArray()),
                    mean(rows.stream().mapToDouble(StageScores::entityScore).toArray()),
                    mean(rows.stream().mapToDouble(StageScores::judgeScore).toArray()),
                    mean(rows.stream().mapToDouble(StageScores::meanOutputTokens).toArray()), subsetMean));
        }
        return out;
    }

    /** The summary as a plain-text table. */
    public static String table(List<StageSummary> stages) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-14s %5s %8s %17s %7s %7s %7s %8s %8s %8s %8s%n", "stage", "seeds",
                "accuracy", "95% t interval", "sd", "min", "max", "format", "entity", "judge", "tokens"));
        for (StageSummary s : stages) {
            sb.append(String.format(Locale.ROOT, "%-14s %5d %8.3f %17s %7s %7.3f %7.3f %8.3f %8.3f %8.3f %8.1f%n",
                    s.name(), s.seeds(), s.accuracyMean(), Double.isNaN(s.accuracyLow()) ? "-"
                            : String.format(Locale.ROOT, "[%.3f, %.3f]", s.accuracyLow(), s.accuracyHigh()),
                    Double.isNaN(s.accuracySd()) ? "-" : String.format(Locale.ROOT, "%.3f", s.accuracySd()),
                    s.accuracyMin(), s.accuracyMax(), s.formatMean(), s.entityMean(), s.judgeMean(),
                    s.tokensMean()));
        }
        return sb.toString();
    }

    private static Path writeJson(Path out, List<Long> seeds, List<StageSummary> stages,
            List<ClaimTests.ClaimResult> claims) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode s = root.putArray("seeds");
        seeds.forEach(s::add);
        ArrayNode arr = root.putArray("stages");
        for (StageSummary st : stages) {
            ObjectNode row = Json.MAPPER.valueToTree(st);
            if (Double.isNaN(st.accuracySd())) { // JSON has no NaN
                row.putNull("accuracy_sd");
                row.putNull("accuracy_low");
                row.putNull("accuracy_high");
            }
            arr.add(row);
        }
        root.put("claims_note", CLAIMS_NOTE);
        root.set("claims", Json.MAPPER.valueToTree(claims));
        Path file = out.resolve(SUMMARY);
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static Path writeReport(Path out, String title, List<Long> seeds, List<StageSummary> stages,
            List<ClaimTests.ClaimResult> claims) {
        HtmlReport html = new HtmlReport(title + ", over " + seeds.size() + " seeds");
        html.section("What ran").paragraph("The same pipeline once per seed (world, initial weights and every "
                + "trainer follow the seed); each seed's own report is in its seed-N folder. Accuracy as in the "
                + "single-run report; sd is the sample standard deviation over the seeds.");
        Map<String, Object> runs = new LinkedHashMap<>();
        for (long seed : seeds) {
            runs.put("seed " + seed, "seed-" + seed + "/" + PipelineReport.FILE);
        }
        html.keyValues(runs);
        html.section("Per stage over the seeds");
        List<List<Object>> rows = new ArrayList<>();
        for (StageSummary s : stages) {
            List<Object> row = new ArrayList<>();
            row.add(s.name());
            row.add(s.seeds());
            row.add(s.accuracyMean());
            row.add(Double.isNaN(s.accuracyLow()) ? null
                    : String.format(Locale.ROOT, "[%.3f, %.3f]", s.accuracyLow(), s.accuracyHigh()));
            row.add(Double.isNaN(s.accuracySd()) ? null : s.accuracySd());
            row.add(s.accuracyMin());
            row.add(s.accuracyMax());
            row.add(s.formatMean());
            row.add(s.entityMean());
            row.add(s.judgeMean());
            row.add(s.tokensMean());
            rows.add(row);
        }
        html.table(List.of("stage", "seeds", "accuracy (mean)", "95% t interval", "sd", "min", "max", "format",
                "entity", "judge", "tokens"), rows);
        TreeSet<String> subsets = new TreeSet<>();
        stages.forEach(s -> subsets.addAll(s.subsetAccuracyMean().keySet()));
        if (!subsets.isEmpty()) {
            List<List<Object>> subRows = new ArrayList<>();
            for (StageSummary s : stages) {
                List<Object> row = new ArrayList<>();
                row.add(s.name());
                subsets.forEach(k -> row.add(s.subsetAccuracyMean().get(k)));
                subRows.add(row);
            }
            List<String> header = new ArrayList<>();
            header.add("stage");
            header.addAll(subsets);
            html.table(header, subRows);
            html.paragraph("Mean accuracy per kind of closed question over the seeds.");
        }
        if (!claims.isEmpty()) {
            ClaimTests.html(html, claims);
        }
        Path file = out.resolve(REPORT);
        html.write(file);
        return file;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }
}

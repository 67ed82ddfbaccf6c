package org.pathoreason.pipeline;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.DataException;
import org.pathoreason.eval.QuestionOutcome;
import org.pathoreason.eval.report.HtmlReport;
import org.pathoreason.eval.stats.PairedTests;
import org.pathoreason.eval.stats.PairedTests.Interval;

/**
 * Tests {@link Claim}s on the per-question results that each seed's stages left in {@code STAGE/eval/}
 * ({@code questions.jsonl}, {@code rewards.jsonl}).
 *
 * <p>Per seed, a part's difference {@code stage - baseline} is the mean over the same test questions, with a 95%
 * paired bootstrap interval over the questions and, for accuracy, McNemar's exact test on the questions only one of
 * the two answered right. Over the seeds, the estimate is the mean of the seeds' differences with a 95% Student t
 * interval (k - 1 degrees of freedom): each seed is an independent replicate of the whole experiment (its own world,
 * test questions, initial weights and training noise), and the spread between seeds, which carries the training
 * noise, is what a claim about a recipe must stand out of; resampling the questions alone would leave it out. With
 * one seed the verdict falls back to that seed's bootstrap interval (question noise only), and says so.
 */
public final class ClaimTests {

    /** How the interval of a part over the seeds was made. */
    public static final String T_OVER_SEEDS = "t over seeds";
    public static final String BOOTSTRAP_ONE_SEED = "bootstrap over questions, one seed";

    private ClaimTests() {
    }

    /**
     * One part on one seed.
     *
     * @param n paired questions
     * @param baselineMean the baseline's mean on them
     * @param stageMean the stage's mean on them
     * @param difference {@code stage - baseline} with its paired bootstrap interval
     * @param onlyBaseline for accuracy: questions only the baseline answered right (else null)
     * @param onlyStage for accuracy: questions only the stage answered right (else null)
     * @param mcnemarP for accuracy: McNemar's exact two-sided p (else null)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SeedResult(long seed, int n, double baselineMean, double stageMean, Interval difference,
            Integer onlyBaseline, Integer onlyStage, Double mcnemarP) {
    }

    /**
     * One part over the seeds.
     *
     * @param test the part as text ("beta - alpha accuracy > 0")
     * @param difference the mean of the seeds' differences with its interval
     * @param interval how the interval was made ({@link #T_OVER_SEEDS} or {@link #BOOTSTRAP_ONE_SEED})
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PartResult(Claim.Part part, String test, List<SeedResult> seeds, Interval difference,
            String interval, Claim.Verdict verdict) {
    }

    /** A claim's parts and its verdict. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ClaimResult(String name, String source, List<PartResult> parts, Claim.Verdict verdict) {
    }

    /**
     * Tests each claim on the seeds' runs.
     *
     * @param seedDirs each seed's pipeline folder, by seed
     * @throws DataException when a stage's per-question files are missing or two stages were evaluated on different
     *     questions
     */
    public static List<ClaimResult> test(List<Claim> claims, Map<Long, Path> seedDirs) {
        if (seedDirs.isEmpty()) {
            throw new IllegalArgumentException("no seeds to test claims on");
        }
        List<ClaimResult> out = new ArrayList<>();
        int partIndex = 0;
        for (Claim c : claims) {
            List<PartResult> parts = new ArrayList<>();
            for (Claim.Part p : c.parts()) {
                List<SeedResult> seeds = new ArrayList<>();
                for (Map.Entry<Long, Path> e : seedDirs.entrySet()) {
                    seeds.add(seedResult(p, e.getKey(), e.getValue(), e.getKey() * 1_000_003L + partIndex));
                }
                partIndex++;
                Interval over;
                String how;
                if (seeds.size() >= 2) {
                    over = PairedTests.tInterval(seeds.stream().mapToDouble(s -> s.difference().estimate()).toArray(),
                            PairedTests.LEVEL);
                    how = T_OVER_SEEDS;
                } else {
                    over = seeds.get(0).difference();
                    how = BOOTSTRAP_ONE_SEED;
                }
                parts.add(new PartResult(p, p.describe(), seeds, over, how, p.verdict(over.low(), over.high())));
            }
            out.add(new ClaimResult(c.name(), c.source(), parts,
                    Claim.combine(parts.stream().map(PartResult::verdict).toList())));
        }
        return out;
    }

    /** One part on one seed's folder. */
    static SeedResult seedResult(Claim.Part p, long seed, Path dir, long bootstrapSeed) {
        Map<String, double[]> base = scores(p.measure(), dir, p.baseline());
        Map<String, double[]> stage = scores(p.measure(), dir, p.stage());
        if (!base.keySet().equals(stage.keySet())) {
            throw new DataException(dir + ": stages " + p.baseline() + " and " + p.stage() + " were not scored on the "
                    + "same test questions (" + base.size() + " and " + stage.size() + " " + p.measure().id()
                    + " items)");
        }
        if (base.isEmpty()) {
            throw new DataException(dir + ": stage " + p.stage() + " has no " + p.measure().id() + " items");
        }
        int n = base.size();
        double[] x = new double[n];
        double[] y = new double[n];
        int onlyBase = 0;
        int onlyStage = 0;
        int i = 0;
        for (Map.Entry<String, double[]> e : base.entrySet()) {
            double[] b = e.getValue();
            double[] s = stage.get(e.getKey());
            x[i] = b[0];
            y[i] = s[0];
            if (b[1] == 1 && s[1] == 0) {
                onlyBase++;
            } else if (b[1] == 0 && s[1] == 1) {
                onlyStage++;
            }
            i++;
        }
        Interval d = PairedTests.bootstrapMeanDifference(x, y, PairedTests.RESAMPLES, PairedTests.LEVEL,
                bootstrapSeed);
        boolean accuracy = p.measure() == Claim.Measure.ACCURACY;
        return new SeedResult(seed, n, PairedTests.mean(x), PairedTests.mean(y), d, accuracy ? onlyBase : null,
                accuracy ? onlyStage : null, accuracy ? PairedTests.mcnemarExact(onlyBase, onlyStage) : null);
    }

    /** Per question id: {score, right (1/0, accuracy only)} of one stage, in file order. */
    static Map<String, double[]> scores(Claim.Measure measure, Path dir, String stage) {
        Path eval = dir.resolve(stage).resolve(StageEvaluator.EVAL);
        Map<String, double[]> out = new LinkedHashMap<>();
        switch (measure) {
            case ACCURACY, OUTPUT_TOKENS -> {
                for (QuestionOutcome q : QuestionOutcome.read(existing(eval.resolve(QuestionOutcome.FILE), stage))) {
                    if (measure == Claim.Measure.ACCURACY && q.isClosed()) {
                        out.put(q.id(), new double[] {q.credit(), q.rightAnswer() ? 1 : 0});
                    } else if (measure == Claim.Measure.OUTPUT_TOKENS && q.outputTokens() != null) {
                        out.put(q.id(), new double[] {q.outputTokens(), -1});
                    }
                }
            }
            case ENTITY -> {
                for (QuestionRewards r : QuestionRewards.read(existing(eval.resolve(QuestionRewards.FILE), stage))) {
                    out.put(r.id(), new double[] {r.entity(), -1});
                }
            }
            default -> throw new IllegalStateException("unexpected measure " + measure);
        }
        return out;
    }

    private static Path existing(Path file, String stage) {
        if (!Files.isRegularFile(file)) {
            throw new DataException("stage " + stage + " has no " + file + " (evaluate it again: a rerun of the "
                    + "pipeline in the same folder writes it from the saved predictions)");
        }
        return file;
    }

    /** The results as plain text: per claim its verdict, per part the interval over seeds, per seed its figures. */
    public static String table(List<ClaimResult> results) {
        StringBuilder sb = new StringBuilder();
        for (ClaimResult c : results) {
            sb.append(String.format(Locale.ROOT, "%-24s %-14s %s%n", c.name(), c.verdict().text(), c.source()));
            for (PartResult p : c.parts()) {
                sb.append(String.format(Locale.ROOT, "  %-40s %s %s  (%s, k=%d)  %s%n", p.test(),
                        signed(p.difference().estimate(), p.part().measure()), range(p.difference(),
                                p.part().measure()), p.interval(), p.seeds().size(), p.verdict().text()));
                for (SeedResult s : p.seeds()) {
                    sb.append(String.format(Locale.ROOT, "    seed %-3d %s -> %s: %s %s", s.seed(),
                            value(s.baselineMean(), p.part().measure()), value(s.stageMean(), p.part().measure()),
                            signed(s.difference().estimate(), p.part().measure()), range(s.difference(),
                                    p.part().measure())));
                    if (s.mcnemarP() != null) {
                        sb.append(String.format(Locale.ROOT, ", McNemar %d/%d p=%s", s.onlyBaseline(), s.onlyStage(),
                                pValue(s.mcnemarP())));
                    }
                    sb.append(String.format(Locale.ROOT, " (n=%d)%n", s.n()));
                }
            }
        }
        return sb.toString();
    }

    /** The results as report sections: one table of the claims, one of every seed. */
    public static void html(HtmlReport html, List<ClaimResult> results) {
        html.section("The papers' claims, tested");
        html.paragraph("Each claim compares two stages on the same test questions: the difference is stage minus "
                + "baseline. Per seed: the mean difference over the questions with a 95% paired bootstrap interval ("
                + PairedTests.RESAMPLES + " resamples of the questions) and, for accuracy, McNemar's exact test on "
                + "the questions only one of the two answered right (counts baseline-only / stage-only). Over the "
                + "seeds: the mean of the seeds' differences with a 95% Student t interval, since every seed is an "
                + "independent replicate of the experiment (world, questions, weights, training noise). A claim "
                + "holds when the interval lies wholly on its side (for a not-lower part: above minus the margin), "
                + "does not hold when it lies wholly on the other side, and is undecided otherwise.");
        List<List<Object>> rows = new ArrayList<>();
        for (ClaimResult c : results) {
            for (PartResult p : c.parts()) {
                rows.add(List.of(c.name(), c.source(), p.test(), signed(p.difference().estimate(),
                        p.part().measure()), range(p.difference(), p.part().measure()), p.interval() + ", k="
                        + p.seeds().size(), p.verdict().text(), c.verdict().text()));
            }
        }
        html.table(List.of("claim", "source", "part", "difference", "95% interval", "interval", "part verdict",
                "claim verdict"), rows);
        List<List<Object>> seedRows = new ArrayList<>();
        for (ClaimResult c : results) {
            for (PartResult p : c.parts()) {
                for (SeedResult s : p.seeds()) {
                    Claim.Measure m = p.part().measure();
                    seedRows.add(java.util.Arrays.asList(p.test(), s.seed(), s.n(), value(s.baselineMean(), m),
                            value(s.stageMean(), m), signed(s.difference().estimate(), m), range(s.difference(), m),
                            s.mcnemarP() == null ? null : s.onlyBaseline() + " / " + s.onlyStage(),
                            s.mcnemarP() == null ? null : pValue(s.mcnemarP())));
                }
            }
        }
        html.table(List.of("part", "seed", "n", "baseline", "stage", "difference", "95% bootstrap", "only baseline / "
                + "only stage right", "McNemar p"), seedRows);
    }

    private static String value(double v, Claim.Measure m) {
        return String.format(Locale.ROOT, m == Claim.Measure.OUTPUT_TOKENS ? "%.1f" : "%.3f", v);
    }

    private static String signed(double v, Claim.Measure m) {
        return String.format(Locale.ROOT, m == Claim.Measure.OUTPUT_TOKENS ? "%+.1f" : "%+.3f", v);
    }

    private static String range(Interval i, Claim.Measure m) {
        return "[" + signed(i.low(), m) + ", " + signed(i.high(), m) + "]";
    }

    private static String pValue(double p) {
        return p < 0.001 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.3f", p);
    }
}

package org.pathoreason.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.pathoreason.engine.EngineThreads;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * A list of stages run in order in one workspace, then {@code results.json} and {@code report.html}. The demo
 * ({@link Demo}) and the ablation ({@link Ablation}) are two such lists.
 */
public final class Pipeline {

    public static final String RESULTS = "results.json";

    /**
     * What a pipeline produced.
     *
     * @param stages each stage's test figures, in pipeline order
     * @param resultsFile {@code results.json}
     * @param reportFile {@code report.html}
     * @param wallSeconds the wall time of this call
     */
    public record Result(List<StageScores> stages, Path resultsFile, Path reportFile, double wallSeconds) {
    }

    private final String title;
    private final String intro;
    private final Workspace workspace;
    private final List<StageSpec> stages;
    private final List<Claim> claims;
    private final PrintStream log;
    private final boolean progress;
    private boolean clipStage;
    private boolean slideStage;
    private int jobs = 1;

    /**
     * @param title the report's title
     * @param intro the report's opening paragraph
     * @param stages in order; each parent must come before its children
     * @param claims the papers' claims about these stages, tested on the stages' paired test results
     * @param log progress lines
     * @param progress show progress bars (stderr)
     */
    public Pipeline(String title, String intro, Workspace workspace, List<StageSpec> stages, List<Claim> claims,
            PrintStream log, boolean progress) {
        this.title = Objects.requireNonNull(title, "title");
        this.intro = Objects.requireNonNull(intro, "intro");
        this.workspace = Objects.requireNonNull(workspace, "workspace");
        this.stages = List.copyOf(stages);
        this.claims = List.copyOf(claims);
        this.log = Objects.requireNonNull(log, "log");
        this.progress = progress;
        Set<String> seen = new HashSet<>();
        for (StageSpec s : this.stages) {
            if (s.parent() != null && !seen.contains(s.parent())) {
                throw new IllegalArgumentException("stage " + s.name() + " starts from " + s.parent()
                        + ", which does not come before it");
            }
            if (!seen.add(s.name())) {
                throw new IllegalArgumentException("two stages are named " + s.name());
            }
        }
        for (Claim c : this.claims) {
            for (Claim.Part p : c.parts()) {
                if (!seen.contains(p.stage()) || !seen.contains(p.baseline())) {
                    throw new IllegalArgumentException("claim " + c.name() + " compares " + p.stage() + " with "
                            + p.baseline() + ", not both stages of this pipeline " + seen);
                }
            }
        }
    }

    public List<StageSpec> stages() {
        return stages;
    }

    /** Also runs the CLIP stage ({@link ClipStage}) after the VLM stages when the settings give it overrides. */
    public Pipeline withClipStage() {
        this.clipStage = true;
        return this;
    }

    /** Also runs the slide stage ({@link SlideStage}) with the last stage's model, after the VLM stages. */
    public Pipeline withSlideStage() {
        this.slideStage = true;
        return this;
    }

    /**
     * How many tasks run side by side in this process: with 2, each stage's evaluation and the CLIP stage run on a
     * second thread while the VLM stages train one after another on this one. Every task has its own seeds and
     * inputs, so the figures are the same as with 1; only the wall time and the order of the log lines change.
     * Give the second thread a core of its own (2 cores at one PyTorch thread each).
     */
    public Pipeline withJobs(int jobs) {
        if (jobs < 1 || jobs > 2) {
            throw new IllegalArgumentException("jobs must be 1 or 2, got " + jobs);
        }
        this.jobs = jobs;
        return this;
    }

    private boolean runsClip() {
        return clipStage && !workspace.settings().clip().isEmpty();
    }

    public List<Claim> claims() {
        return claims;
    }

    /** Runs (or resumes) every stage, then writes the results and the report. */
    public Result run() {
        long t0 = System.nanoTime();
        log.printf(Locale.ROOT, "%s -> %s (preset %s, seed %d)%n", title, workspace.root(),
                workspace.settings().preset(), workspace.settings().seed());
        workspace.prepare(log, progress);
        int count = stages.size() + (slideStage ? 1 : 0) + (runsClip() ? 1 : 0);
        StageRunner runner = new StageRunner(workspace, log, progress, progress && jobs == 1);
        String last = stages.get(stages.size() - 1).name();
        List<StageScores> scores = new ArrayList<>();
        SlideStage.Scores slides;
        ClipStage.Scores clip;
        if (jobs == 1) {
            for (int i = 0; i < stages.size(); i++) {
                scores.add(runner.run(stages.get(i), i + 1, count));
            }
            slides = slideStage ? SlideStage.run(workspace, last, runner.finalDir(last), log, stages.size() + 1,
                    count, progress) : null;
            clip = runsClip() ? ClipStage.run(workspace, log, count, count) : null;
        } else {
            // training is a chain (each stage starts from its parent's model) and keeps this thread; what needs
            // only a finished model (its evaluation) or nothing of the chain (the CLIP stage) goes to the other
            ExecutorService side = EngineThreads.single("pipeline-side");
            try {
                List<Future<?>> sideTasks = new ArrayList<>();
                Future<ClipStage.Scores> clipTask = runsClip()
                        ? side.submit(() -> ClipStage.run(workspace, log, count, count)) : null;
                if (clipTask != null) {
                    sideTasks.add(clipTask);
                }
                List<Future<StageScores>> evaluations = new ArrayList<>();
                for (int i = 0; i < stages.size(); i++) {
                    StageSpec spec = stages.get(i);
                    int index = i + 1;
                    double trainSeconds = runner.train(spec, index, count);
                    Future<StageScores> evaluation = side.submit(() -> runner.evaluate(spec, index, count,
                            trainSeconds));
                    evaluations.add(evaluation);
                    sideTasks.add(evaluation);
                    failFast(sideTasks);
                }
                slides = slideStage ? SlideStage.run(workspace, last, runner.finalDir(last), log,
                        stages.size() + 1, count, progress) : null;
                for (Future<StageScores> evaluation : evaluations) {
                    scores.add(result(evaluation));
                }
                clip = clipTask == null ? null : result(clipTask);
            } finally {
                side.shutdownNow();
            }
        }
        double wall = Workspace.seconds(t0);
        // one seed: each claim's verdict rests on the question bootstrap alone (no training noise in it)
        List<ClaimTests.ClaimResult> tested = ClaimTests.test(claims,
                Map.of(workspace.settings().seed(), workspace.root()));
        Path results = writeResults(scores, slides, clip, tested, wall);
        Path report = PipelineReport.write(workspace, title, intro, stages, scores, slides, clip, tested, wall);
        log.println();
        log.print(table(scores));
        if (slides != null) {
            log.printf(Locale.ROOT, "%nslides: %s%n", SlideStage.summary(slides));
        }
        if (clip != null) {
            log.printf(Locale.ROOT, "%nclip: %s%n", ClipStage.summary(clip));
        }
        if (!tested.isEmpty()) {
            log.printf(Locale.ROOT, "%nclaims on this seed (stage - baseline over the same test questions, 95%% "
                    + "paired bootstrap; run --seeds for intervals over seeds)%n");
            log.print(ClaimTests.table(tested));
        }
        log.printf(Locale.ROOT, "results: %s%nreport:  %s%nwall time %.0f s%n", results, report, wall);
        log.flush();
        return new Result(scores, results, report, wall);
    }

    /** Stops the pipeline as soon as a task on the other thread has failed, rather than after all training. */
    private static void failFast(List<Future<?>> tasks) {
        for (Future<?> t : tasks) {
            if (t.isDone()) {
                result(t);
            }
        }
    }

    private static <T> T result(Future<T> task) {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a pipeline task", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    private Path writeResults(List<StageScores> scores, SlideStage.Scores slides, ClipStage.Scores clip,
            List<ClaimTests.ClaimResult> tested, double wall) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode arr = root.putArray("stages");
        for (int i = 0; i < scores.size(); i++) {
            ObjectNode row = Json.MAPPER.valueToTree(scores.get(i));
            row.put("kind", stages.get(i).kind().id());
            if (stages.get(i).parent() != null) {
                row.put("parent", stages.get(i).parent());
            }
            row.put("description", stages.get(i).description());
            arr.add(row);
        }
        if (slides != null) {
            root.set("slides", SlideStage.toJson(slides));
        }
        if (clip != null) {
            root.set("clip", ClipStage.toJson(clip));
        }
        root.set("claims", Json.MAPPER.valueToTree(tested));
        root.put("preset", workspace.settings().preset());
        root.put("seed", workspace.settings().seed());
        root.put("wall_seconds", wall);
        Path file = workspace.root().resolve(RESULTS);
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** The stages' figures as a plain-text table. */
    public static String table(List<StageScores> scores) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-14s %8s %8s %8s %8s %8s %8s%n", "stage", "accuracy", "no-guess",
                "format", "entity", "judge", "tokens"));
        for (StageScores s : scores) {
            sb.append(String.format(Locale.ROOT, "%-14s %8.3f %8.3f %8.3f %8.3f %8.3f %8.1f%n", s.name(),
                    s.accuracy(), s.accuracyNoGuess(), s.formatRate(), s.entityScore(), s.judgeScore(),
                    s.meanOutputTokens()));
        }
        List<String> subsets = PipelineReport.subsets(scores);
        if (!subsets.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%naccuracy by question subset%n%-14s", "stage"));
            subsets.forEach(k -> sb.append(String.format(Locale.ROOT, " %10s", k)));
            sb.append(System.lineSeparator());
            for (StageScores s : scores) {
                sb.append(String.format(Locale.ROOT, "%-14s", s.name()));
                for (String k : subsets) {
                    Double v = s.subsetAccuracy().get(k);
                    sb.append(v == null ? String.format(Locale.ROOT, " %10s", "-")
                            : String.format(Locale.ROOT, " %10.3f", v));
                }
                sb.append(System.lineSeparator());
            }
        }
        return sb.toString();
    }
}

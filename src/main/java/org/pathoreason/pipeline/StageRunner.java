package org.pathoreason.pipeline;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.eval.QuestionOutcome;
import org.pathoreason.train.sft.Stage;

/**
 * Runs pipeline stages in a {@link Workspace}: trains a stage's model from its parent's (unless its
 * {@code final/} exists), then evaluates it on the test split (unless its {@code eval/scores.json} exists). A
 * stage is complete when both exist; an interrupted stage resumes from its trainer's newest checkpoint and its
 * evaluation from the predictions already written.
 */
public final class StageRunner {

    private final Workspace workspace;
    private final PrintStream log;
    private final boolean progress;
    private final boolean evalProgress;
    private StageEvaluator evaluator;

    /**
     * @param workspace a prepared workspace ({@link Workspace#prepare})
     * @param log where progress lines go
     * @param progress show the trainers' and the evaluation's progress bars (on stderr)
     */
    public StageRunner(Workspace workspace, PrintStream log, boolean progress) {
        this(workspace, log, progress, progress);
    }

    /**
     * @param trainProgress show the trainers' progress bars (on stderr)
     * @param evalProgress show the evaluation's progress bars: off where evaluations run beside training, so that
     *     two bars do not draw over each other
     */
    public StageRunner(Workspace workspace, PrintStream log, boolean trainProgress, boolean evalProgress) {
        this.workspace = workspace;
        this.log = log;
        this.progress = trainProgress;
        this.evalProgress = evalProgress;
    }

    /** The stage's final model folder. */
    public Path finalDir(String stage) {
        return workspace.stageDir(stage).resolve(StageTrainers.FINAL);
    }

    /** The stage's scores file. */
    public Path scoresFile(String stage) {
        return evalDir(stage).resolve(StageScores.FILE);
    }

    /** The stage's evaluation folder ({@code scores.json}, {@code questions.jsonl}, {@code rewards.jsonl}, ...). */
    public Path evalDir(String stage) {
        return workspace.stageDir(stage).resolve(StageEvaluator.EVAL);
    }

    /**
     * Whether the stage has its final model and its evaluation, per-question files included (a stage evaluated
     * before they existed is evaluated again from its saved predictions, without generating).
     */
    public boolean complete(String stage) {
        return Files.isDirectory(finalDir(stage)) && Files.isRegularFile(scoresFile(stage))
                && Files.isRegularFile(evalDir(stage).resolve(QuestionOutcome.FILE))
                && Files.isRegularFile(evalDir(stage).resolve(QuestionRewards.FILE));
    }

    /**
     * Trains and evaluates one stage (what is missing of it).
     *
     * @param index the stage's 1-based position, for the progress lines
     * @param count how many stages the pipeline has
     * @throws IllegalStateException when the parent stage has no final model
     */
    public StageScores run(StageSpec spec, int index, int count) {
        return evaluate(spec, index, count, train(spec, index, count));
    }

    /**
     * Trains the stage unless its final model exists; {@link #evaluate} may then run on another thread while the
     * next stages train.
     *
     * @return the training's seconds (0 when it was trained earlier)
     * @throws IllegalStateException when the parent stage has no final model
     */
    public double train(StageSpec spec, int index, int count) {
        if (complete(spec.name())) {
            return 0; // evaluate() says so
        }
        String tag = tag(spec, index, count);
        log.printf(Locale.ROOT, "%s: %s%n", tag, spec.description());
        log.flush();
        Path runDir = workspace.stageDir(spec.name());
        if (Files.isDirectory(finalDir(spec.name()))) {
            return 0;
        }
        long t0 = System.nanoTime();
        train(spec, runDir);
        double seconds = Workspace.seconds(t0);
        log.printf(Locale.ROOT, "%s: trained in %.1f s (%d steps logged) -> %s%n", tag, seconds,
                StageTrainers.loggedSteps(runDir), finalDir(spec.name()));
        log.flush();
        return seconds;
    }

    /**
     * Evaluates a trained stage on the test split unless its evaluation exists (then reads it).
     *
     * @param trainSeconds what {@link #train} returned, recorded with the scores
     * @throws IllegalStateException when the stage has no final model
     */
    public StageScores evaluate(StageSpec spec, int index, int count, double trainSeconds) {
        String tag = tag(spec, index, count);
        if (complete(spec.name())) {
            StageScores s = StageScores.read(scoresFile(spec.name()));
            log.printf(Locale.ROOT, "%s: done earlier (%s)%n", tag, summary(s));
            return s;
        }
        if (!Files.isDirectory(finalDir(spec.name()))) {
            throw new IllegalStateException("stage " + spec.name() + " has no final model at "
                    + finalDir(spec.name()) + " to evaluate");
        }
        long t0 = System.nanoTime();
        StageScores scores = evaluator().evaluate(spec.name(), finalDir(spec.name()),
                workspace.stageDir(spec.name()).resolve(StageEvaluator.EVAL));
        scores = scores.withTimes(trainSeconds, Workspace.seconds(t0));
        scores.write(scoresFile(spec.name()));
        log.printf(Locale.ROOT, "%s: test %s (eval %.1f s)%n", tag, summary(scores), scores.evalSeconds());
        log.flush();
        return scores;
    }

    private static String tag(StageSpec spec, int index, int count) {
        return String.format(Locale.ROOT, "[%d/%d] %s", index, count, spec.name());
    }

    /** One line of figures, as the progress output shows them. */
    public static String summary(StageScores s) {
        return String.format(Locale.ROOT, "accuracy %.3f (no guess %.3f, chance %.3f), format %.3f, entity %.3f, "
                + "judge %.3f, %.1f tokens", s.accuracy(), s.accuracyNoGuess(), s.chance(), s.formatRate(),
                s.entityScore(), s.judgeScore(), s.meanOutputTokens());
    }

    private void train(StageSpec spec, Path runDir) {
        PipelineSettings settings = workspace.settings();
        if (spec.kind() == StageKind.INIT) {
            StageTrainers.init(workspace.tokenizerFile(), settings.seed(), runDir);
            return;
        }
        Path parent = finalDir(spec.parent());
        if (!Files.isDirectory(parent)) {
            throw new IllegalStateException("stage " + spec.name() + " starts from stage " + spec.parent()
                    + ", which has no final model at " + parent);
        }
        // the pipeline's seed first, so that a stage that sets its own train.seed keeps it
        List<String> overrides = new ArrayList<>(List.of("train.seed=" + settings.seed()));
        overrides.addAll(spec.overrides());
        Path data = workspace.dataFile(spec.data());
        switch (spec.kind()) {
            case PRETRAIN -> StageTrainers.supervised(Stage.PRETRAIN, overrides, data, parent, runDir, progress);
            case SFT -> {
                overrides.add("sft.answer_style=" + settings.answerStyle());
                StageTrainers.supervised(Stage.SFT, overrides, data, parent, runDir, progress);
            }
            case GRPO -> {
                overrides.add("reward.accuracy_mode=" + settings.extraction().name().toLowerCase(Locale.ROOT));
                overrides.add("reward.knowledge_graph=" + workspace.graphFile());
                StageTrainers.grpo(overrides, data, parent, runDir, progress);
            }
            default -> throw new IllegalStateException("unexpected stage kind " + spec.kind());
        }
    }

    private StageEvaluator evaluator() {
        if (evaluator == null) {
            PipelineSettings s = workspace.settings();
            evaluator = new StageEvaluator(workspace.testFile(), SampleJsonl.read(workspace.testFile()),
                    workspace.graphFile(), s.extraction(), s.evalMaxNewTokens(), s.evalBatchSize(), evalProgress);
        }
        return evaluator;
    }
}

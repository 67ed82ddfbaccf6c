package org.pathoreason.pipeline;

import org.pathoreason.data.Task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pathoreason.data.Sample;
import org.pathoreason.eval.EvalOptions;
import org.pathoreason.eval.EvalResult;
import org.pathoreason.eval.EvalRunner;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.eval.report.EvalReport;
import org.pathoreason.eval.ScoreOptions;
import org.pathoreason.eval.ScoredItem;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.RewardResult;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.train.rl.RewardFactory;
import org.pathoreason.train.rl.RewardOptions;

/**
 * Evaluates a stage's model on the test split with {@link EvalRunner} (greedy, chain-of-thought prompts, the
 * pipeline's answer extraction; predictions, metrics and a report in {@code STAGE/eval/}) and adds what the RL stages
 * optimise: the format, entity and process (rubric judge) rewards of each completion, built by the same
 * {@link RewardFactory} the GRPO trainer uses.
 */
final class StageEvaluator {

    static final String EVAL = "eval";

    private final Path testFile;
    private final List<Sample> testSamples;
    private final Path graphFile;
    private final ExtractionMode extraction;
    private final int maxNewTokens;
    private final int batchSize;
    private final boolean progress;

    StageEvaluator(Path testFile, List<Sample> testSamples, Path graphFile, ExtractionMode extraction,
            int maxNewTokens, int batchSize, boolean progress) {
        this.extraction = extraction;
        this.testFile = testFile;
        this.testSamples = List.copyOf(testSamples);
        this.graphFile = graphFile;
        this.maxNewTokens = maxNewTokens;
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /** Evaluates {@code model} into {@code outDir} (resuming predictions left there) and returns its scores. */
    StageScores evaluate(String stage, Path model, Path outDir) {
        EvalOptions options = EvalOptions.DEFAULTS.withStyle(PromptStyle.COT).withMaxNewTokens(maxNewTokens)
                .withBatchSize(batchSize).withOutDir(outDir)
                .withScoring(ScoreOptions.DEFAULTS.withExtraction(extraction)).withProgress(progress).withExamples(8)
                .withDataName(testFile.toString());
        EvalResult result;
        try (CheckpointBundle ckpt = CheckpointBundle.open(model)) {
            result = new EvalRunner(ckpt, options.withModelName(ckpt.name())).run(testSamples, testFile.getParent());
        }
        EvalReport.write(result, options.examples());
        Scored scored = score(stage, result.score().items());
        QuestionRewards.write(outDir.resolve(QuestionRewards.FILE), scored.rewards());
        return scored.scores();
    }

    /** A stage's figures and the rewards of each test completion behind them. */
    record Scored(StageScores scores, List<QuestionRewards> rewards) {
    }

    /** The stage's figures from its scored test items. */
    Scored score(String stage, List<ScoredItem> items) {
        int closed = 0;
        int read = 0;
        double correct = 0;
        double guessed = 0;
        double chance = 0;
        long tokens = 0;
        Map<String, double[]> subsets = new TreeMap<>(); // subset -> {credit, closed}
        List<RewardInput> inputs = new ArrayList<>(items.size());
        for (ScoredItem it : items) {
            inputs.add(RewardInput.of(it.sample(), it.prediction().prediction()));
            if (it.prediction().outputTokens() != null) {
                tokens += it.prediction().outputTokens();
            }
            if (!it.isClosed()) {
                continue;
            }
            closed++;
            double guess = 1.0 / choices(it.sample());
            chance += guess;
            double credit = 0;
            if (it.isMiss()) {
                guessed += guess;
                credit = guess;
            } else {
                read++;
                if (it.correct()) {
                    correct++;
                    credit = 1;
                }
            }
            double[] sub = subsets.computeIfAbsent(String.valueOf(it.sample().subset()), k -> new double[2]);
            sub[0] += credit;
            sub[1]++;
        }
        Map<String, Double> subsetAccuracy = new TreeMap<>();
        subsets.forEach((k, v) -> subsetAccuracy.put(k, v[0] / v[1]));
        List<QuestionRewards> rewards = rewards(items, inputs);
        int n = items.size();
        int d = Math.max(1, n);
        double format = rewards.stream().mapToDouble(QuestionRewards::format).sum() / d;
        double entity = rewards.stream().mapToDouble(QuestionRewards::entity).sum() / d;
        double process = rewards.stream().mapToDouble(QuestionRewards::process).sum() / d;
        return new Scored(new StageScores(stage, closed == 0 ? 0 : (correct + guessed) / closed,
                closed == 0 ? 0 : correct / closed, closed == 0 ? 0 : (double) read / closed,
                closed == 0 ? 0 : chance / closed, format, entity, process,
                n == 0 ? 0 : (double) tokens / n, n, closed, 0, 0, subsetAccuracy), rewards);
    }

    private static int choices(Sample s) {
        return Task.MCQ.equals(s.task()) ? Math.max(1, s.options().size()) : 2;
    }

    /** The format, entity and process reward of each completion. */
    private List<QuestionRewards> rewards(List<ScoredItem> items, List<RewardInput> inputs) {
        Map<String, Double> weights = new LinkedHashMap<>();
        weights.put("format", 1.0);
        weights.put("entity", 1.0);
        weights.put("process", 1.0);
        RewardOptions options = RewardOptions.grpo().withKnowledgeGraph(graphFile.toString()).withWeights(weights);
        List<QuestionRewards> out = new ArrayList<>(items.size());
        try (RewardFactory.Built reward = RewardFactory.build(options, maxNewTokens, Path.of(""),
                testFile.getParent())) {
            List<RewardResult> results = reward.reward().scoreAll(inputs);
            for (int i = 0; i < items.size(); i++) {
                RewardResult r = results.get(i);
                out.add(new QuestionRewards(items.get(i).id(), r.part("format"), r.part("entity"),
                        r.part("process")));
            }
        }
        return out;
    }
}

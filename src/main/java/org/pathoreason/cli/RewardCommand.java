package org.pathoreason.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.eval.Prediction;
import org.pathoreason.eval.Predictions;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.reward.AccuracyReward;
import org.pathoreason.reward.EntityReward;
import org.pathoreason.reward.FormatReward;
import org.pathoreason.reward.LengthReward;
import org.pathoreason.reward.Reward;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.RewardResult;
import org.pathoreason.reward.WeightedReward;
import org.pathoreason.reward.judge.KnowledgeGraphRubricJudge;
import org.pathoreason.reward.judge.OpenAiJudge;
import org.pathoreason.reward.judge.ProcessReward;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Scores saved predictions with the RL rewards, to see what a checkpoint would earn before (or after) training.
 */
@Command(name = "reward", mixinStandardHelpOptions = true,
        description = "Score a predictions JSONL with RL rewards and print the mean of every "
        + "reward and part.")
public final class RewardCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "Samples JSONL (gold answers, options, entities).")
    Path data;

    @Option(names = "--predictions", required = true, description = "Predictions JSONL: {id, prediction, "
            + "output_tokens?}.")
    Path predictions;

    @Option(names = "--rewards", split = ",", defaultValue = "format,accuracy", description = "Comma-separated: "
            + "format, format-observe, accuracy, accuracy-lenient, accuracy-rouge, accuracy-embedding, entity, "
            + "process-kg, process-llm, length (default: ${DEFAULT-VALUE}).")
    List<String> rewards;

    @Option(names = "--graph", description = "Knowledge graph file, for entity and process-kg.")
    Path graph;

    @Option(names = "--max-tokens", defaultValue = "1024", description = "Generation limit the predictions were "
            + "made under, for length (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--overlong-buffer", defaultValue = "256", description = "Soft overlong buffer in tokens, for "
            + "length (default: ${DEFAULT-VALUE}).")
    int overlongBuffer;

    @Option(names = "--judge-url", description = "OpenAI-compatible base URL for process-llm, e.g. "
            + "http://127.0.0.1:8000/v1.")
    String judgeUrl;

    @Option(names = "--judge-model", description = "Model name for process-llm.")
    String judgeModel;

    @Option(names = "--judge-key-env", description = "Name of the environment variable holding the judge's API key.")
    String judgeKeyEnv;

    @Option(names = "--judge-cache", description = "JSONL file caching judge verdicts.")
    Path judgeCache;

    @Option(names = "--out", description = "Write one line of scores per prediction to this JSONL file.")
    Path out;

    @Override
    public void run() {
        List<Sample> samples = SampleJsonl.read(data);
        Map<String, Sample> byId = samples.stream().collect(Collectors.toMap(Sample::id, Function.identity()));
        List<Prediction> preds = Predictions.read(predictions);
        List<RewardInput> inputs = new ArrayList<>();
        for (Prediction p : preds) {
            Sample s = byId.get(p.id());
            if (s == null) {
                throw new DataException(predictions + ": prediction id '" + p.id() + "' is not in " + data);
            }
            int tokens = p.outputTokens() == null ? 0 : p.outputTokens();
            inputs.add(new RewardInput(s, p.prediction(), tokens, p.outputTokens() == null ? 0 : maxTokens));
        }
        List<AutoCloseable> toClose = new ArrayList<>();
        try {
            WeightedReward reward = build(toClose);
            List<RewardResult> results = reward.scoreAll(inputs);
            print(spec.commandLine().getOut(), preds.size(), samples.size(), results);
            if (out != null) {
                writeScores(preds, results);
            }
        } finally {
            for (AutoCloseable c : toClose) {
                try {
                    c.close();
                } catch (Exception e) {
                    spec.commandLine().getErr().println("warning: " + e.getMessage());
                }
            }
        }
    }

    private WeightedReward build(List<AutoCloseable> toClose) {
        WeightedReward.Builder b = WeightedReward.builder().name("total");
        KnowledgeGraph kg = null;
        for (String name : rewards) {
            String n = name.strip();
            if ((n.equals("entity") || n.equals("process-kg")) && kg == null) {
                if (graph == null) {
                    throw new IllegalArgumentException("reward '" + n + "' needs --graph FILE");
                }
                kg = KnowledgeGraph.load(graph);
            }
            Reward r = switch (n) {
                case "format" -> FormatReward.r1();
                case "format-observe" -> FormatReward.pathReasoner();
                case "accuracy" -> AccuracyReward.strict();
                case "accuracy-lenient" -> AccuracyReward.lenient();
                case "accuracy-rouge" -> new AccuracyReward(ExtractionMode.LENIENT, AccuracyReward.OpenMetric.ROUGE_L);
                case "accuracy-embedding" -> new AccuracyReward(ExtractionMode.LENIENT,
                        AccuracyReward.OpenMetric.EMBEDDING);
                case "entity" -> EntityReward.forGraph(kg);
                case "process-kg" -> new ProcessReward(new KnowledgeGraphRubricJudge(kg));
                case "process-llm" -> {
                    if (judgeUrl == null || judgeModel == null) {
                        throw new IllegalArgumentException("reward 'process-llm' needs --judge-url and --judge-model");
                    }
                    OpenAiJudge judge = OpenAiJudge.builder().setBaseUrl(judgeUrl).setModel(judgeModel)
                            .optApiKeyEnv(judgeKeyEnv).optCacheFile(judgeCache)
                            .optImageRoot(data.toAbsolutePath().getParent()).optTimeout(Duration.ofSeconds(120))
                            .build();
                    toClose.add(judge);
                    yield new ProcessReward(judge);
                }
                case "length" -> new LengthReward(Math.min(overlongBuffer, maxTokens), 1.0, 3, 1.0);
                default -> throw new IllegalArgumentException("unknown reward '" + n + "'; expected format, "
                        + "format-observe, accuracy, accuracy-lenient, accuracy-rouge, accuracy-embedding, entity, "
                        + "process-kg, process-llm or length");
            };
            b.add(r, 1.0);
        }
        return b.build();
    }

    private static void print(PrintWriter ps, int predictions, int samples, List<RewardResult> results) {
        ps.printf("%d predictions scored (%d samples in the data)%n", predictions, samples);
        if (results.isEmpty()) {
            return;
        }
        double total = results.stream().mapToDouble(RewardResult::value).average().orElse(0);
        ps.printf("%-32s %.4f%n", "total", total);
        Map<String, double[]> sums = new TreeMap<>();
        for (RewardResult r : results) {
            r.parts().forEach((k, v) -> {
                double[] acc = sums.computeIfAbsent(k, x -> new double[2]);
                acc[0] += v;
                acc[1]++;
            });
        }
        sums.forEach((k, v) -> ps.printf("%-32s %.4f%n", k, v[0] / v[1]));
        ps.flush();
    }

    private void writeScores(List<Prediction> preds, List<RewardResult> results) {
        AtomicFiles.write(out, os -> {
            for (int i = 0; i < preds.size(); i++) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", preds.get(i).id());
                line.put("reward", results.get(i).value());
                line.put("parts", results.get(i).parts());
                os.write(Json.MAPPER.writeValueAsString(line).getBytes(StandardCharsets.UTF_8));
                os.write('\n');
            }
        });
    }
}

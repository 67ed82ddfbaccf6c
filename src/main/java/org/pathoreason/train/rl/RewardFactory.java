package org.pathoreason.train.rl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.reward.AccuracyReward;
import org.pathoreason.reward.EntityReward;
import org.pathoreason.reward.EntitySimilarity;
import org.pathoreason.reward.FormatReward;
import org.pathoreason.reward.LengthReward;
import org.pathoreason.reward.Reward;
import org.pathoreason.reward.WeightedReward;
import org.pathoreason.reward.judge.KnowledgeGraphRubricJudge;
import org.pathoreason.reward.judge.OpenAiJudge;
import org.pathoreason.reward.judge.ProcessReward;
import org.pathoreason.text.extract.ExtractionMode;

/**
 * Builds the weighted reward a run optimises from its {@link RewardOptions}. The knowledge graph is loaded once
 * and shared by the entity reward and the rubric judge; an OpenAI judge is kept so that it can be closed with the
 * run ({@link Built#close()}).
 */
public final class RewardFactory {

    private RewardFactory() {
    }

    /** The reward and the resources it holds. */
    public record Built(WeightedReward reward, List<AutoCloseable> resources) implements AutoCloseable {

        @Override
        public void close() {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot close reward resource: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Builds the reward.
     *
     * @param maxCompletionLength the generation limit, for the default overlong buffer
     * @param baseDir relative paths of the options (graph, judge cache) are resolved against it
     * @param imageRoot where the judge finds the samples' images (the data file's folder)
     */
    public static Built build(RewardOptions options, int maxCompletionLength, Path baseDir, Path imageRoot) {
        KnowledgeGraph graph = null;
        if (options.knowledgeGraph() != null && !options.knowledgeGraph().isBlank()) {
            graph = KnowledgeGraph.load(baseDir.resolve(options.knowledgeGraph()));
        }
        WeightedReward.Builder b = WeightedReward.builder().name("reward");
        List<AutoCloseable> resources = new ArrayList<>();
        for (Map.Entry<String, Double> term : options.active().entrySet()) {
            b.add(term(term.getKey(), options, graph, maxCompletionLength, baseDir, imageRoot, resources),
                    term.getValue());
        }
        return new Built(b.build(), resources);
    }

    private static Reward term(String name, RewardOptions o, KnowledgeGraph graph, int maxCompletionLength,
                               Path baseDir, Path imageRoot, List<AutoCloseable> resources) {
        return switch (name) {
            case "format" -> new FormatReward(
                    o.formatStyle().equals("think-answer") ? FormatReward.Style.THINK_ANSWER
                            : FormatReward.Style.OBSERVE_THINK_ANSWER,
                    o.formatMatch().equals("whole") ? FormatReward.Match.WHOLE : FormatReward.Match.ANYWHERE);
            case "accuracy" -> new AccuracyReward(ExtractionMode.parse(o.accuracyMode()),
                    o.openMetric().equals("token-f1") ? AccuracyReward.OpenMetric.TOKEN_F1
                            : AccuracyReward.OpenMetric.ROUGE_L);
            case "entity" -> EntityReward.forGraph(graph, EntitySimilarity.none(), o.entityBeta());
            case "length" -> new LengthReward(
                    o.overlongBuffer() > 0 ? Math.min(o.overlongBuffer(), maxCompletionLength)
                            : Math.max(1, maxCompletionLength / 5),
                    o.overlongPenalty(), o.repetitionNgram(), o.repetitionPenalty());
            case "process" -> {
                if (o.judge().equals("rubric")) {
                    yield new ProcessReward(new KnowledgeGraphRubricJudge(graph));
                }
                OpenAiJudge.Builder jb = OpenAiJudge.builder().setBaseUrl(o.judgeBaseUrl()).setModel(o.judgeModel())
                        .optTimeout(Duration.ofMillis((long) (o.judgeTimeoutS() * 1000)))
                        .optMaxAttempts(o.judgeMaxAttempts()).optMaxConcurrency(o.judgeConcurrency())
                        .optFallback(o.judgeFallback(), o.judgeFallback()).optImageRoot(imageRoot);
                if (o.judgeApiKeyEnv() != null) {
                    jb.optApiKeyEnv(o.judgeApiKeyEnv());
                }
                if (o.judgeCache() != null) {
                    jb.optCacheFile(baseDir.resolve(o.judgeCache()));
                }
                OpenAiJudge judge = jb.build();
                resources.add(judge);
                yield new ProcessReward(judge);
            }
            default -> throw new IllegalArgumentException("unknown reward '" + name + "', expected one of "
                    + RewardOptions.NAMES);
        };
    }
}

package org.pathoreason.train.rl;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code reward:} section of a GRPO/DAPO run: which rewards, with which weights, and their settings.
 *
 * <p>{@code weights} maps a reward name to its weight; the reward is the weighted sum of the named terms. A term
 * with weight 0 is left out, so {@code --set reward.weights.entity=0.5} adds the entity reward to the defaults
 * and {@code --set reward.weights.format=0} removes the format reward. Names: {@code format}, {@code accuracy},
 * {@code entity} (needs {@code knowledge_graph}), {@code process} (judge {@code rubric} needs
 * {@code knowledge_graph}; {@code openai} needs {@code judge_base_url} and {@code judge_model}) and {@code length}.
 *
 * @param weights reward name to weight, in the order the terms are summed and logged
 * @param accuracyMode strict (PathVLM-R1's rule) or lenient
 * @param openMetric token-f1 or rouge-l for open questions
 * @param formatStyle think-answer or observe-think-answer
 * @param formatMatch whole (R1's full match) or anywhere (PathReasoner's search)
 * @param knowledgeGraph a graph file (JSON, TSV, PrimeKG, OWL) for the entity reward and the rubric judge
 * @param entityBeta the soft-credit weight β of the entity reward
 * @param judge rubric (offline, from the knowledge graph) or openai (an OpenAI-compatible endpoint)
 * @param judgeBaseUrl the endpoint's base URL, e.g. {@code http://127.0.0.1:8000/v1}
 * @param judgeModel the judge model's name on that endpoint
 * @param judgeApiKeyEnv name of the environment variable holding the API key (the key itself is never configured)
 * @param judgeTimeoutS seconds per request
 * @param judgeMaxAttempts attempts per verdict
 * @param judgeConcurrency requests in flight
 * @param judgeCache a JSONL file to keep verdicts in (null: memory only)
 * @param judgeFallback the integrity and knowledge score used when the judge fails
 * @param overlongBuffer tokens of DAPO's soft overlong zone before {@code max_completion_length}; 0 = a fifth of
 *     it (DAPO: 4096 of 20480)
 * @param overlongPenalty the length term's value at the limit, negated (DAPO: 1)
 * @param repetitionNgram n of the repetition penalty's n-grams
 * @param repetitionPenalty the most the repetition penalty takes off (0 = off)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RewardOptions(
        Map<String, Double> weights,
        String accuracyMode,
        String openMetric,
        String formatStyle,
        String formatMatch,
        String knowledgeGraph,
        double entityBeta,
        String judge,
        String judgeBaseUrl,
        String judgeModel,
        String judgeApiKeyEnv,
        double judgeTimeoutS,
        int judgeMaxAttempts,
        int judgeConcurrency,
        String judgeCache,
        double judgeFallback,
        int overlongBuffer,
        double overlongPenalty,
        int repetitionNgram,
        double repetitionPenalty) {

    /** The reward names a config may use. */
    public static final List<String> NAMES = List.of("format", "accuracy", "entity", "process", "length");

    public RewardOptions {
        require(weights != null, "weights", "a mapping of reward names to weights", weights);
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            require(NAMES.contains(e.getKey()), "weights", "keyed by one of " + NAMES, e.getKey());
            require(e.getValue() != null && Double.isFinite(e.getValue()), "weights." + e.getKey(), "a finite number",
                    e.getValue());
        }
        require(weights.values().stream().anyMatch(w -> w != 0), "weights", "at least one non-zero weight", weights);
        require(Set.of("strict", "lenient").contains(accuracyMode), "accuracy_mode", "strict or lenient",
                accuracyMode);
        require(Set.of("token-f1", "rouge-l").contains(openMetric), "open_metric", "token-f1 or rouge-l", openMetric);
        require(Set.of("think-answer", "observe-think-answer").contains(formatStyle), "format_style",
                "think-answer or observe-think-answer", formatStyle);
        require(Set.of("whole", "anywhere").contains(formatMatch), "format_match", "whole or anywhere", formatMatch);
        require(entityBeta >= 0 && Double.isFinite(entityBeta), "entity_beta", "a number >= 0", entityBeta);
        require(Set.of("rubric", "openai").contains(judge), "judge", "rubric or openai", judge);
        require(judgeTimeoutS > 0, "judge_timeout_s", "a number > 0", judgeTimeoutS);
        require(judgeMaxAttempts >= 1, "judge_max_attempts", "an integer >= 1", judgeMaxAttempts);
        require(judgeConcurrency >= 1, "judge_concurrency", "an integer >= 1", judgeConcurrency);
        require(judgeFallback >= 0 && judgeFallback <= 1, "judge_fallback", "a number in [0, 1]", judgeFallback);
        require(overlongBuffer >= 0, "overlong_buffer", "an integer >= 0 (0 = a fifth of the length limit)",
                overlongBuffer);
        require(overlongPenalty >= 0 && Double.isFinite(overlongPenalty), "overlong_penalty", "a number >= 0",
                overlongPenalty);
        require(repetitionNgram >= 1, "repetition_ngram", "an integer >= 1", repetitionNgram);
        require(repetitionPenalty >= 0 && Double.isFinite(repetitionPenalty), "repetition_penalty",
                "a number >= 0", repetitionPenalty);
        Map<String, Double> active = active(weights); // fields are not assigned yet inside the constructor
        if (active.containsKey("entity") || (active.containsKey("process") && judge.equals("rubric"))) {
            require(knowledgeGraph != null && !knowledgeGraph.isBlank(), "knowledge_graph",
                    "a graph file (the entity reward and the rubric judge need one)", knowledgeGraph);
        }
        if (active.containsKey("process") && judge.equals("openai")) {
            require(judgeBaseUrl != null && judgeModel != null, "judge_base_url",
                    "set together with judge_model for the openai judge", judgeBaseUrl);
        }
    }

    /** R1's reward: format + accuracy (Patho-R1, R1-V), weight 1 each. */
    public static RewardOptions grpo() {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("format", 1.0);
        w.put("accuracy", 1.0);
        return new RewardOptions(w, "strict", "token-f1", "think-answer", "whole", null, 0.5, "rubric", null, null,
                null, 60, 4, 8, null, 0.5, 0, 1.0, 3, 0);
    }

    /** DAPO: the R1 reward plus the soft overlong punishment (length term, weight 1). */
    public static RewardOptions dapo() {
        RewardOptions g = grpo();
        Map<String, Double> w = new LinkedHashMap<>(g.weights);
        w.put("length", 1.0);
        return g.withWeights(w);
    }

    public RewardOptions withWeights(Map<String, Double> w) {
        return new RewardOptions(w, accuracyMode, openMetric, formatStyle, formatMatch, knowledgeGraph, entityBeta,
                judge, judgeBaseUrl, judgeModel, judgeApiKeyEnv, judgeTimeoutS, judgeMaxAttempts, judgeConcurrency,
                judgeCache, judgeFallback, overlongBuffer, overlongPenalty, repetitionNgram, repetitionPenalty);
    }

    public RewardOptions withKnowledgeGraph(String file) {
        return new RewardOptions(weights, accuracyMode, openMetric, formatStyle, formatMatch, file, entityBeta,
                judge, judgeBaseUrl, judgeModel, judgeApiKeyEnv, judgeTimeoutS, judgeMaxAttempts, judgeConcurrency,
                judgeCache, judgeFallback, overlongBuffer, overlongPenalty, repetitionNgram, repetitionPenalty);
    }

    /** The terms with a non-zero weight, in order. */
    public Map<String, Double> active() {
        return active(weights);
    }

    private static Map<String, Double> active(Map<String, Double> weights) {
        Map<String, Double> out = new LinkedHashMap<>();
        weights.forEach((k, v) -> {
            if (v != 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static void require(boolean ok, String key, String expected, Object got) {
        if (!ok) {
            throw new IllegalArgumentException(key + " must be " + expected + ", got " + got);
        }
    }
}

package org.pathoreason.data.synth;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One split of the dataset: its file name, size at scale 1, mix of question kinds, and whether it may use the
 * optional-finding combinations held out of training.
 *
 * @param name split name, also the JSONL file name without extension
 * @param baseCount samples at scale 1
 * @param mix share of each question kind (sums to 1)
 * @param mayUseUnseen true for evaluation splits, which draw part of their cases from held-out combinations
 * @param reasoning whether the split's questions carry a reasoning target ({@code reasoning.observe/think}); the
 *     RL split has none: real RL data (PathVLM-R1's, Patho-R1's) holds questions and verifiable answers only, so a
 *     variant trained on it must not learn from gold chains of thought
 */
public record SplitPlan(String name, int baseCount, Map<QuestionKind, Double> mix, boolean mayUseUnseen,
        boolean reasoning) {

    public SplitPlan {
        mix = Map.copyOf(new EnumMap<>(mix));
        double sum = mix.values().stream().mapToDouble(Double::doubleValue).sum();
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("question mix of split " + name + " sums to " + sum + ", not 1");
        }
    }

    /** The same split with another size at scale 1. */
    public SplitPlan withBaseCount(int count) {
        return new SplitPlan(name, count, mix, mayUseUnseen, reasoning);
    }

    /** Samples at a scale: at least one. */
    public int count(double scale) {
        return Math.max(1, (int) Math.round(baseCount * scale));
    }

    /**
     * The standard splits, after PathVLM-R1 (3000 SFT, 1000 RL, 1385 test) plus pretraining captions and val. The
     * RL split's questions have answers but no reasoning.
     */
    public static List<SplitPlan> standard() {
        Map<QuestionKind, Double> reasoning = Map.of(QuestionKind.DIAGNOSIS_MCQ, 0.4, QuestionKind.FEATURE_MCQ, 0.2,
                QuestionKind.FINDING_YESNO, 0.2, QuestionKind.DESCRIBE_OPEN, 0.2);
        Map<QuestionKind, Double> verifiable = Map.of(QuestionKind.DIAGNOSIS_MCQ, 0.5, QuestionKind.FEATURE_MCQ, 0.25,
                QuestionKind.FINDING_YESNO, 0.25);
        return List.of(
                new SplitPlan("pretrain", 5000, Map.of(QuestionKind.CAPTION, 1.0), false, false),
                new SplitPlan("sft", 3000, reasoning, false, true),
                new SplitPlan("rl", 1000, verifiable, false, false),
                new SplitPlan("val", 300, reasoning, true, true),
                new SplitPlan("test", 1385, reasoning, true, true));
    }
}

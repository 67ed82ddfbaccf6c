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
 */
public record SplitPlan(String name, int baseCount, Map<QuestionKind, Double> mix, boolean mayUseUnseen) {

    public SplitPlan {
        mix = Map.copyOf(new EnumMap<>(mix));
        double sum = mix.values().stream().mapToDouble(Double::doubleValue).sum();
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException("question mix of split " + name + " sums to " + sum + ", not 1");
        }
    }

    /** Samples at a scale: at least one. */
    public int count(double scale) {
        return Math.max(1, (int) Math.round(baseCount * scale));
    }

    /** The standard splits, after PathVLM-R1 (3000 SFT, 1000 RL, 1385 test) plus pretraining captions and val. */
    public static List<SplitPlan> standard() {
        Map<QuestionKind, Double> reasoning = Map.of(QuestionKind.DIAGNOSIS_MCQ, 0.4, QuestionKind.FEATURE_MCQ, 0.2,
                QuestionKind.FINDING_YESNO, 0.2, QuestionKind.DESCRIBE_OPEN, 0.2);
        Map<QuestionKind, Double> verifiable = Map.of(QuestionKind.DIAGNOSIS_MCQ, 0.5, QuestionKind.FEATURE_MCQ, 0.25,
                QuestionKind.FINDING_YESNO, 0.25);
        return List.of(
                new SplitPlan("pretrain", 5000, Map.of(QuestionKind.CAPTION, 1.0), false),
                new SplitPlan("sft", 3000, reasoning, false),
                new SplitPlan("rl", 1000, verifiable, false),
                new SplitPlan("val", 300, reasoning, true),
                new SplitPlan("test", 1385, reasoning, true));
    }
}

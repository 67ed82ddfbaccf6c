package org.pathoreason.reward.judge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pathoreason.reward.Reward;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.RewardResult;

/**
 * PathVLM-R1's process reward: {@code (Integrity + Knowledge) / 2} from a {@link ProcessJudge}. Parts:
 * {@code integrity}, {@code knowledge} and {@code judge_fallback} (1 when the judge failed and the configured
 * fallback was used, so a run can see how often its judge was down).
 */
public final class ProcessReward implements Reward {

    private final ProcessJudge judge;

    public ProcessReward(ProcessJudge judge) {
        this.judge = Objects.requireNonNull(judge, "judge");
    }

    public ProcessJudge judge() {
        return judge;
    }

    @Override
    public String name() {
        return "process";
    }

    @Override
    public RewardResult score(RewardInput input) {
        return toResult(judge.judge(input));
    }

    @Override
    public List<RewardResult> scoreAll(List<RewardInput> inputs) {
        List<RewardResult> out = new ArrayList<>(inputs.size());
        for (JudgeScore s : judge.judgeAll(inputs)) {
            out.add(toResult(s));
        }
        return out;
    }

    private static RewardResult toResult(JudgeScore s) {
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("integrity", s.integrity());
        parts.put("knowledge", s.knowledge());
        parts.put("judge_fallback", s.source() == JudgeScore.Source.FALLBACK ? 1.0 : 0.0);
        return new RewardResult(s.process(), parts);
    }
}

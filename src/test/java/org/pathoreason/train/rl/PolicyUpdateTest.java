package org.pathoreason.train.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.reward.RewardResult;
import org.pathoreason.train.AdamW;
import org.pathoreason.train.LrSchedule;
import org.pathoreason.train.ParameterUpdater;

/** The update half of a step on hand-made rollouts. */
@ExtendWith(OneThread.class)
class PolicyUpdateTest {

    /** Two groups of four: in each, one completion scores 1 and the others 0. */
    private static RolloutBatch fixedRollout() {
        Sample a = RlFixtures.sample("txt-a", "tissue");
        Sample b = RlFixtures.sample("img-b", "gland");
        RolloutGroup ga = new RolloutGroup(a, RlFixtures.ENCODER.apply(a), List.of(
                RlFixtures.completion(7, 7, 8, RlFixtures.STOP),
                RlFixtures.completion(10, 11, 12, 13, RlFixtures.STOP),
                RlFixtures.completion(20, 21, RlFixtures.STOP),
                RlFixtures.completion(30, 31, 32, 33, 34)),
                rewards(1, 0, 0, 0));
        RolloutGroup gb = new RolloutGroup(b, RlFixtures.ENCODER.apply(b), List.of(
                RlFixtures.completion(14, 15, RlFixtures.STOP),
                RlFixtures.completion(3, 4, 5, 6, RlFixtures.STOP),
                RlFixtures.completion(40, 41, 42, RlFixtures.STOP),
                RlFixtures.completion(50, RlFixtures.STOP)),
                rewards(0, 0, 1, 0));
        return new RolloutBatch(List.of(ga, gb), 4);
    }

    private static List<RewardResult> rewards(double... v) {
        return java.util.Arrays.stream(v).mapToObj(x -> RewardResult.of("accuracy", x)).toList();
    }

    private static double[] sequenceLogProbs(Qwen2VLModel model, RolloutBatch batch, NDManager root) {
        float[][] lp = PolicyLogProbs.noGrad(model, batch, 1.0, 8, RlFixtures.STOP, root);
        double[] out = new double[lp.length];
        for (int i = 0; i < lp.length; i++) {
            for (float x : lp[i]) {
                out[i] += x;
            }
        }
        return out;
    }

    private static ParameterUpdater updater(Qwen2VLModel model, double lr) {
        return new ParameterUpdater(model.parameters(), AdamW.Settings.defaults().withWeightDecay(0),
                LrSchedule.constant(lr, 0), 0);
    }

    private static RlOptions options(String agg, int micro) {
        RlOptions g = RlOptions.grpo();
        return new RlOptions("grpo", 4, 8, 64, 8, 1.0, 1.0, 0, 1, 0, micro, RlOptions.OldLogProbs.RECOMPUTE, g.advEps(), true,
                0.2, 0.2, 3.0, LossAggregation.parse(agg), 0, 0, KlEstimators.Kind.K3, false, false, "reward", 1, false, "think-answer");
    }

    @Test
    void oneUpdateRaisesTheLogProbOfPositiveAdvantageCompletions() {
        try (NDManager root = Engines.newManager(); Qwen2VLModel model = RlFixtures.model(root, 11)) {
            RolloutBatch batch = fixedRollout();
            batch.computeAdvantages(Advantages.Options.verl());
            double[] adv = batch.advantages();
            double[] before = sequenceLogProbs(model, batch, root);
            try (ParameterUpdater updater = updater(model, 1e-3)) {
                PolicyUpdate.Stats s = new PolicyUpdate(model, options("token-mean", 3), RlFixtures.STOP)
                        .run(batch, updater, 1, root);
                assertThat(s.updates()).isEqualTo(1);
                assertThat(s.ratioMean()).isCloseTo(1.0, within(1e-6)); // on-policy: the ratio is exactly 1
                assertThat(s.clipFraction()).isZero();
                assertThat(s.gradNorm()).isPositive().isFinite();
            }
            double[] after = sequenceLogProbs(model, batch, root);
            double negativeBefore = 0;
            double negativeAfter = 0;
            for (int i = 0; i < adv.length; i++) {
                if (adv[i] > 0) {
                    assertThat(after[i]).as("row %d, advantage %.3f", i, adv[i]).isGreaterThan(before[i] + 0.01);
                } else {
                    negativeBefore += before[i];
                    negativeAfter += after[i];
                }
            }
            assertThat(negativeAfter).isLessThan(negativeBefore);
        }
    }

    @Test
    void negativeAdvantageCompletionsLoseLogProb() {
        try (NDManager root = Engines.newManager(); Qwen2VLModel model = RlFixtures.model(root, 11)) {
            // The completions that scored 1 now score -1, below their groups' mean: they must lose log-prob.
            RolloutBatch flipped = fixedRollout();
            flipped.subtractFromRewards(new double[] {2, 0, 0, 0, 0, 0, 2, 0});
            flipped.computeAdvantages(Advantages.Options.verl());
            double[] before = sequenceLogProbs(model, flipped, root);
            try (ParameterUpdater updater = updater(model, 1e-3)) {
                new PolicyUpdate(model, options("seq-mean-token-mean", 8), RlFixtures.STOP)
                        .run(flipped, updater, 1, root);
            }
            double[] after = sequenceLogProbs(model, flipped, root);
            assertThat(after[0]).isLessThan(before[0]);
            assertThat(after[6]).isLessThan(before[6]);
        }
    }

    @Test
    void microBatchingDoesNotChangeTheGradient() {
        for (String agg : List.of("token-mean", "seq-mean-token-mean", "seq-mean-token-sum",
                "seq-mean-token-sum-norm")) {
            double[] norms = new double[2];
            int[] micro = {1, 8};
            for (int k = 0; k < 2; k++) {
                try (NDManager root = Engines.newManager(); Qwen2VLModel model = RlFixtures.model(root, 5)) {
                    RolloutBatch batch = fixedRollout();
                    batch.computeAdvantages(Advantages.Options.verl());
                    try (ParameterUpdater updater = updater(model, 0)) {
                        norms[k] = new PolicyUpdate(model, options(agg, micro[k]), RlFixtures.STOP)
                                .run(batch, updater, 1, root).gradNorm();
                    }
                }
            }
            assertThat(norms[0]).as(agg).isPositive().isCloseTo(norms[1], within(norms[1] * 1e-4));
        }
    }

    @Test
    void epochsAndMiniBatchesUseRecomputedOldLogProbsAndClip() {
        try (NDManager root = Engines.newManager(); Qwen2VLModel model = RlFixtures.model(root, 3)) {
            RolloutBatch batch = fixedRollout();
            batch.computeAdvantages(Advantages.Options.verl());
            RlOptions g = options("token-mean", 2);
            RlOptions rl = new RlOptions("grpo", 4, 8, 64, 8, 1.0, 1.0, 0, 3, 4, 2, RlOptions.OldLogProbs.RECOMPUTE, g.advEps(),
                    true, 0.2, 0.2, 3.0, LossAggregation.TOKEN_MEAN, 0, 0, KlEstimators.Kind.K3, false, false, "reward", 1, false, "think-answer");
            try (ParameterUpdater updater = updater(model, 5e-2)) {
                PolicyUpdate.Stats s = new PolicyUpdate(model, rl, RlFixtures.STOP).run(batch, updater, 9, root);
                assertThat(s.updates()).isEqualTo(6); // 3 epochs x 2 mini-batches of 4
                assertThat(batch.oldLogProbs()).isNotNull();
                // a large learning rate moves the policy off the old one within the step: ratios leave the clip range
                assertThat(s.clipFraction()).isPositive();
                assertThat(s.approxKl()).isNotZero();
                assertThat(s.entropy()).isPositive();
            }
        }
    }

    @Test
    void maskedTruncatedCompletionsGetNoLoss() {
        try (NDManager root = Engines.newManager(); Qwen2VLModel model = RlFixtures.model(root, 3)) {
            RolloutBatch batch = fixedRollout();
            batch.computeAdvantages(Advantages.Options.verl());
            RlOptions g = options("token-mean", 8);
            RlOptions masked = new RlOptions("dapo", 4, 8, 64, 8, 1.0, 1.0, 0, 1, 0, 8, RlOptions.OldLogProbs.RECOMPUTE,
                    g.advEps(), true, 0.2, 0.28, 3.0, LossAggregation.TOKEN_MEAN, 0, 0, KlEstimators.Kind.K3, false, false, "reward", 1, true,
                    "think-answer");
            int all = 0;
            for (int i = 0; i < batch.size(); i++) {
                all += batch.completionLength(i);
            }
            try (ParameterUpdater updater = updater(model, 0)) {
                PolicyUpdate.Stats s = new PolicyUpdate(model, masked, RlFixtures.STOP).run(batch, updater, 1, root);
                // row 3 (five tokens, no stop token) was cut at the length limit
                assertThat(batch.row(3).truncated()).isTrue();
                assertThat(s.lossTokens()).isEqualTo(all - 5);
                assertThat(s.entropy()).isPositive(); // entropy still counts every sampled token
            }
        }
    }
}

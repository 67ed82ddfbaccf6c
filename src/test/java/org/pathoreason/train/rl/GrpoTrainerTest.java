package org.pathoreason.train.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.util.AtomicFiles;

@ExtendWith(OneThread.class)
class GrpoTrainerTest {

    @TempDir
    Path tmp;

    @Test
    void noReferenceIsLoadedWhenKlCoefIsZero() {
        AtomicInteger loads = new AtomicInteger();
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 1)) {
            GrpoTrainer trainer = RlFixtures.trainer(RlFixtures.config("dapo", 2, 1, 0.0), policy,
                    RlFixtures.letterShare('h'), RlFixtures.samples(4), tmp.resolve("run"), root)
                    .optReference(() -> {
                        loads.incrementAndGet();
                        return RlFixtures.model(root, 1);
                    }).build();
            GrpoTrainer.Result r = trainer.train();
            assertThat(loads.get()).isZero();
            assertThat(trainer.referenceLoaded()).isFalse();
            assertThat(r.lastMetrics()).doesNotContainKey("kl");
        }
    }

    @Test
    void withKlCoefTheReferenceIsTheStartingPolicyAndTheKlGrowsFromZero() {
        AtomicInteger loads = new AtomicInteger();
        Path run = tmp.resolve("run");
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 1)) {
            GrpoTrainer trainer = RlFixtures.trainer(RlFixtures.config("grpo", 2, 3, 0.05), policy,
                    RlFixtures.textLength(), RlFixtures.samples(4), run, root)
                    .optReference(() -> {
                        loads.incrementAndGet();
                        return RlFixtures.model(root, 1);
                    }).build();
            trainer.train();
            assertThat(loads.get()).isEqualTo(1);
            List<Map<String, Object>> lines = MetricsLog.read(run.resolve("metrics.jsonl"));
            assertThat(lines).hasSize(3);
            // step 1: the policy is the reference, so k3 is exactly 0 on every token; then it moves away
            assertThat(num(lines.get(0), "kl")).isZero();
            assertThat(num(lines.get(0), "kl_loss")).isZero();
            assertThat(num(lines.get(2), "kl")).isPositive();
        }
        assertThatThrownBy(() -> {
            try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 1)) {
                RlFixtures.trainer(RlFixtures.config("grpo", 2, 1, 0.05), policy, RlFixtures.letterShare('h'),
                        RlFixtures.samples(4), tmp.resolve("x"), root).build();
            }
        }).hasMessageContaining("no reference model loader");
    }

    @Test
    void metricsLinesHaveEveryKey() {
        Path run = tmp.resolve("run");
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 2)) {
            RlFixtures.trainer(RlFixtures.config("grpo", 2, 2, 0.05), policy, RlFixtures.letterShare('h'),
                    RlFixtures.samples(4), run, root).optReference(() -> RlFixtures.model(root, 2)).build().train();
        }
        List<Map<String, Object>> lines = MetricsLog.read(run.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).containsKeys("step", "epoch", "lr", "reward", "reward_std", "reward/letter",
                "reward/accuracy", "accuracy", "format_rate", "response_length", "response_length_max",
                "truncated_fraction", "prompt_length", "groups_generated", "groups_kept",
                "groups_with_variance_share", "generation_rounds", "loss", "pg_loss", "kl_loss", "clip_fraction",
                "clip_fraction_low", "clip_fraction_high", "dual_clip_fraction", "approx_kl", "kl", "entropy",
                "grad_norm", "updates", "time/rollout_s", "time/reward_s", "time/logprob_s", "time/update_s",
                "time/step_s");
        Map<String, Object> l = lines.get(1);
        assertThat(num(l, "completions")).isEqualTo(8); // 2 prompts x G = 4
        assertThat(num(l, "response_length")).isBetween(1.0, 6.0);
        assertThat(num(l, "entropy")).isPositive();
        assertThat(num(l, "time/rollout_s")).isPositive();
        assertThat(num(l, "updates")).isEqualTo(1);
        assertThat(Files.isDirectory(run.resolve("final"))).isTrue();
        assertThat(Files.exists(run.resolve("final/model.safetensors"))).isTrue();
        assertThat(Files.isDirectory(run.resolve("checkpoints/step-2"))).isTrue();
    }

    @Test
    void dynamicSamplingRoundsAreBoundedWhenNoGroupVaries() {
        Path run = tmp.resolve("run");
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 3)) {
            GrpoConfig c = RlFixtures.config("dapo", 2, 1, 0.0);
            assertThat(c.rl().dynamicSampling()).isTrue();
            Map<String, NDArray> params = policy.parameters();
            float before = params.get("model.norm.weight").sum().getFloat();
            GrpoTrainer.Result r = RlFixtures.trainer(c, policy, RlFixtures.constant(1.0), RlFixtures.samples(5),
                    run, root).build().train();
            Map<String, Object> m = r.lastMetrics();
            assertThat(num(m, "generation_rounds")).isEqualTo(3); // max_generation_rounds
            assertThat(num(m, "groups_generated")).isEqualTo(6);
            assertThat(num(m, "groups_kept")).isZero();
            assertThat(num(m, "updates")).isZero();
            assertThat(params.get("model.norm.weight").sum().getFloat()).isEqualTo(before);
        }
    }

    @Test
    void dynamicSamplingFillsTheBatchWithVaryingGroups() {
        Path run = tmp.resolve("run");
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 3)) {
            GrpoTrainer.Result r = RlFixtures.trainer(RlFixtures.config("dapo", 2, 1, 0.0), policy,
                    RlFixtures.textLength(), RlFixtures.samples(6), run, root).build().train();
            Map<String, Object> m = r.lastMetrics();
            assertThat(num(m, "groups_kept")).isEqualTo(2);
            assertThat(num(m, "generation_rounds")).isBetween(1.0, 3.0);
            assertThat(num(m, "updates")).isEqualTo(1);
            assertThat(num(m, "groups_generated")).isEqualTo(2 * num(m, "generation_rounds"));
        }
    }

    @Test
    void resumingFromACheckpointGivesTheUninterruptedRun() throws Exception {
        GrpoConfig c = RlFixtures.config("grpo", 2, 4, 0.05); // checkpoints every 2 steps
        List<Sample> samples = RlFixtures.samples(5);
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        float[] straight;
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 4)) {
            RlFixtures.trainer(c, policy, RlFixtures.letterShare('h'), samples, a, root)
                    .optReference(() -> RlFixtures.model(root, 4)).build().train();
            straight = flat(policy);
        }
        // A second run directory holding only the step-2 checkpoint and the first two metrics lines, as a run
        // killed after its second step would leave it.
        Files.createDirectories(b.resolve("checkpoints"));
        copyTree(a.resolve("checkpoints/step-2"), b.resolve("checkpoints/step-2"));
        List<String> lines = Files.readAllLines(a.resolve("metrics.jsonl"));
        Files.write(b.resolve("metrics.jsonl"), lines.subList(0, 3)); // the third line is torn off by the kill
        float[] resumed;
        GrpoTrainer.Result r;
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 99)) {
            r = RlFixtures.trainer(c, policy, RlFixtures.letterShare('h'), samples, b, root)
                    .optReference(() -> RlFixtures.model(root, 4)).build().train();
            resumed = flat(policy);
        }
        assertThat(r.startStep()).isEqualTo(2);
        assertThat(resumed.length).isEqualTo(straight.length);
        float maxDiff = 0;
        for (int i = 0; i < resumed.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(resumed[i] - straight[i]));
        }
        assertThat(maxDiff).as("largest weight difference, resumed vs uninterrupted").isZero();
        List<Map<String, Object>> la = MetricsLog.read(a.resolve("metrics.jsonl"));
        List<Map<String, Object>> lb = MetricsLog.read(b.resolve("metrics.jsonl"));
        assertThat(lb).hasSize(4);
        for (int i = 0; i < 4; i++) {
            for (String key : List.of("reward", "loss", "kl", "entropy", "response_length", "grad_norm")) {
                assertThat(num(lb.get(i), key)).as("step %d %s", i + 1, key).isEqualTo(num(la.get(i), key));
            }
        }
    }

    @Test
    void trainingRaisesTheRewardOfTheTinyPolicy() {
        // Reward: the share of 'h' in the completion. A few steps at a high learning rate must raise it.
        GrpoConfig base = RlFixtures.config("dapo", 4, 12, 0.0);
        GrpoConfig c = new GrpoConfig(new org.pathoreason.train.TrainConfig(2e-2, 0, 0.9, 0.999, 1e-8, "constant", 0,
                0, 0, 12, 1, 4, 1, 1.0, 3, true, 0, 1, 0, 1, false, false, false, 64,
                org.pathoreason.train.AdamW.DEFAULT_NO_DECAY), base.rl(), base.reward(), base.lora());
        Path run = tmp.resolve("run");
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 8)) {
            RlFixtures.trainer(c, policy, RlFixtures.letterShare('h'), RlFixtures.samples(8), run, root).build()
                    .train();
        }
        double[][] reward = MetricsLog.series(run.resolve("metrics.jsonl"), "reward");
        double first = (reward[1][0] + reward[1][1] + reward[1][2]) / 3;
        double last = (reward[1][9] + reward[1][10] + reward[1][11]) / 3;
        System.out.printf("tiny GRPO: reward %.3f -> %.3f%n", first, last);
        assertThat(last).isGreaterThan(first + 0.2);
    }

    @Test
    void generationLogProbsMatchTheRecomputedOnes() {
        // The sampler's log-probs (KV cache, left-padded prompts) and the training layout (prompts left-padded,
        // completions right-padded, one forward) must agree: this is what makes old_logp=generation usable.
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 6)) {
            RlOptions rl = RlFixtures.config("grpo", 3, 1, 0).rl();
            RolloutCollector collector = new RolloutCollector(policy, RlFixtures.DECODER, RlFixtures.letterShare('h'),
                    rl, java.util.Set.of(RlFixtures.STOP));
            List<RolloutCollector.PromptItem> prompts = RlFixtures.samples(3).stream()
                    .map(s -> new RolloutCollector.PromptItem(s, RlFixtures.ENCODER.apply(s))).toList();
            RolloutBatch batch = new RolloutBatch(collector.collect(prompts, 5, root), rl.groupSize());
            float[][] recomputed = PolicyLogProbs.noGrad(policy, batch, 1.0, 5, RlFixtures.STOP, root);
            float[][] sampled = batch.samplerLogProbs();
            for (int i = 0; i < batch.size(); i++) {
                for (int j = 0; j < sampled[i].length; j++) {
                    assertThat(recomputed[i][j]).as("row %d token %d", i, j).isCloseTo(sampled[i][j], within(1e-4f));
                }
            }
            // the same seed gives the same completions
            RolloutBatch again = new RolloutBatch(collector.collect(prompts, 5, root), rl.groupSize());
            for (int i = 0; i < batch.size(); i++) {
                assertThat(again.row(i).completion()).containsExactly(batch.row(i).completion());
            }
        }
    }

    @Test
    void klInTheRewardAndSamplerLogProbsAsOldOnes() {
        Path run = tmp.resolve("run");
        GrpoConfig base = RlFixtures.config("grpo", 2, 2, 0.1);
        RlOptions r = base.rl();
        RlOptions rl = new RlOptions(r.algorithm(), r.groupSize(), r.generationBatchSize(), r.maxPromptLength(),
                r.maxCompletionLength(), 1.0, 1.0, 0, 2, 4, 4, RlOptions.OldLogProbs.GENERATION, r.advEps(), r.scaleAdvByStd(),
                r.clipLow(), r.clipHigh(), r.dualClipC(), r.lossAgg(), 0, 0.1, KlEstimators.Kind.K1, true, false, "reward", 1, false,
                r.promptStyle());
        GrpoConfig c = new GrpoConfig(base.train(), rl, base.reward(), base.lora());
        assertThat(c.rl().policyLoss().klCoef()).isZero(); // the KL is in the reward, not in the loss
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 12)) {
            RlFixtures.trainer(c, policy, RlFixtures.textLength(), RlFixtures.samples(4), run, root)
                    .optReference(() -> RlFixtures.model(root, 12)).build().train();
        }
        List<Map<String, Object>> lines = MetricsLog.read(run.resolve("metrics.jsonl"));
        // step 1: the sampler's log-probs are the old ones, the reference is the policy: k1 is ~0 (cache vs full
        // forward differ only by rounding), so is the penalty
        assertThat(num(lines.get(0), "kl")).isCloseTo(0, within(1e-4));
        assertThat(num(lines.get(0), "kl_penalty")).isCloseTo(0, within(1e-3));
        assertThat(num(lines.get(0), "updates")).isEqualTo(4); // 2 epochs x 2 mini-batches of 4 completions
        assertThat(num(lines.get(0), "kl_loss")).isZero();
        assertThat(num(lines.get(1), "kl")).isNotZero();
    }

    @Test
    void memoryStaysFlatOverSteps() {
        // Every array of a step (rollout caches, log-probs, loss graph, reference pass) must be gone after it.
        Path run = tmp.resolve("run");
        int steps = 10;
        int[][] counts = new int[steps + 1][];
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 9)) {
            RlFixtures.trainer(RlFixtures.config("grpo", 2, steps, 0.05), policy, RlFixtures.textLength(),
                    RlFixtures.samples(5), run, root).optReference(() -> RlFixtures.model(root, 9))
                    .optStepListener((step, m) -> counts[(int) step] = new int[] {root.getManagedArrays().size(),
                        root.getParentManager().getManagedArrays().size()}).build().train();
        }
        assertThat(counts[steps]).as("live arrays after step %d vs step 3", steps).containsExactly(counts[3]);
    }

    private static double num(Map<String, Object> line, String key) {
        assertThat(line).containsKey(key);
        return ((Number) line.get(key)).doubleValue();
    }

    private static float[] flat(Qwen2VLModel model) {
        int n = 0;
        for (NDArray p : model.parameters().values()) {
            n += (int) p.size();
        }
        float[] out = new float[n];
        int at = 0;
        for (NDArray p : model.parameters().values()) {
            float[] v = p.toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        AtomicFiles.class.getName();
    }
}

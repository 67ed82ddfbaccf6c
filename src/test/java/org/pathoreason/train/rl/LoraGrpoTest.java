package org.pathoreason.train.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.lora.LoraConfig;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.train.AdamW;
import org.pathoreason.train.LoraOptions;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.train.TrainConfig;

/** GRPO with LoRA: the reference is the base with the adapters off (no second model), adapters saved, resume. */
class LoraGrpoTest {

    @TempDir
    Path tmp;

    static final ModelInput INPUT = ModelInput.padded(List.of(new long[] {5, 17, 42, 3, 64, 7, 30, 11}), 0, true,
            new float[0], List.of());

    /** GRPO with a KL term, LoRA r 4 with dropout, a learning rate at which the adapters move in a few steps. */
    static GrpoConfig config(long steps) {
        GrpoConfig c = RlFixtures.config("grpo", 2, steps, 0.05);
        TrainConfig t = new TrainConfig(2e-2, 0.0, 0.9, 0.999, 1e-8, "constant", 0, 0, 0, steps, 1, 2, 1, 1.0, 7,
                true, 2, 5, 0, 1, false, false, false, 64, AdamW.DEFAULT_NO_DECAY);
        return new GrpoConfig(t, c.rl(), c.reward(), new LoraOptions(true, 4, 8, 0.1, LoraConfig.LANGUAGE_LINEAR,
                false, false));
    }

    private static float[] logits(VisionLanguageModel m) {
        try (NDManager step = Engines.newManager()) {
            return m.logits(INPUT, step).toFloatArray();
        }
    }

    private static double num(Map<String, Object> line, String key) {
        assertThat(line).containsKey(key);
        return ((Number) line.get(key)).doubleValue();
    }

    @Test
    void theReferenceIsTheBaseWithTheAdaptersOff() {
        AtomicInteger loads = new AtomicInteger();
        Path run = tmp.resolve("run");
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 1);
             Qwen2VLModel base = RlFixtures.model(root, 1)) {
            Map<String, float[]> before = new java.util.LinkedHashMap<>();
            policy.parameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
            GrpoTrainer trainer = RlFixtures.trainer(config(3), policy, RlFixtures.textLength(),
                    RlFixtures.samples(4), run, root).optReference(() -> {
                        loads.incrementAndGet();
                        return RlFixtures.model(root, 1);
                    }).build();
            trainer.train();
            assertThat(loads.get()).as("no second model is loaded").isZero();
            assertThat(trainer.referenceLoaded()).isFalse();
            List<Map<String, Object>> lines = MetricsLog.read(run.resolve("metrics.jsonl"));
            assertThat(lines).hasSize(3);
            // step 1: B = 0, the adapted policy is the base, so k3 is exactly 0; then the adapters move it away
            assertThat(num(lines.get(0), "kl")).isZero();
            assertThat(num(lines.get(2), "kl")).isPositive();
            // the base weights did not change; with the adapters off the policy is the base model exactly
            policy.parameters().forEach((k, v) -> assertThat(v.toFloatArray()).as(k).isEqualTo(before.get(k)));
            float[] adapted = logits(policy);
            assertThat(adapted).isNotEqualTo(logits(base));
            policy.lowRank().setEnabled(false);
            assertThat(logits(policy)).isEqualTo(logits(base));
            policy.lowRank().setEnabled(true);
        }
        assertThat(run.resolve("final/adapter_model.safetensors")).exists();
        assertThat(run.resolve("final/adapter_config.json")).exists();
        assertThat(run.resolve("final/model.safetensors")).doesNotExist();
        assertThat(run.resolve("checkpoints/step-2/adapter_model.safetensors")).exists();
        assertThat(run.resolve("checkpoints/step-2/model.safetensors")).doesNotExist();
    }

    private static final class Killed extends RuntimeException {
        Killed() {
            super("killed");
        }
    }

    @Test
    void aKilledLoraRunResumesExactly() throws Exception {
        Path straight = tmp.resolve("straight");
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 1)) {
            RlFixtures.trainer(config(4), policy, RlFixtures.textLength(), RlFixtures.samples(4), straight, root)
                    .build().train();
        }
        Path interrupted = tmp.resolve("interrupted");
        assertThatThrownBy(() -> {
            try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 1)) {
                RlFixtures.trainer(config(4), policy, RlFixtures.textLength(), RlFixtures.samples(4), interrupted,
                        root).optStepListener((step, m) -> {
                            if (step == 3) {
                                throw new Killed();
                            }
                        }).build().train();
            }
        }).isInstanceOf(Killed.class);
        GrpoTrainer.Result r;
        try (NDManager root = Engines.newManager(); Qwen2VLModel policy = RlFixtures.model(root, 1)) {
            r = RlFixtures.trainer(config(4), policy, RlFixtures.textLength(), RlFixtures.samples(4), interrupted,
                    root).build().train();
        }
        assertThat(r.startStep()).isEqualTo(2);
        List<Map<String, Object>> a = MetricsLog.read(straight.resolve("metrics.jsonl"));
        List<Map<String, Object>> b = MetricsLog.read(interrupted.resolve("metrics.jsonl"));
        assertThat(b).hasSize(4);
        for (int i = 0; i < 4; i++) {
            for (String key : List.of("loss", "reward", "kl", "grad_norm")) {
                assertThat(b.get(i).get(key)).as("%s at step %d", key, i + 1).isEqualTo(a.get(i).get(key));
            }
        }
        assertThat(Files.readAllBytes(interrupted.resolve("final/adapter_model.safetensors")))
                .isEqualTo(Files.readAllBytes(straight.resolve("final/adapter_model.safetensors")));
    }
}

package org.pathoreason.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.io.Provenance;
import org.pathoreason.util.Json;

/**
 * A run stopped after a checkpoint and resumed in a fresh model and optimiser continues exactly as the
 * uninterrupted run: same losses per step, same final weights, same optimiser state.
 */
class CheckpointResumeTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Engines.start();
    }

    private static TrainConfig config() {
        return ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null, List.of("lr=0.05",
                "weight_decay=0.1", "warmup_steps=3", "max_steps=12", "batch_size=5", "grad_accum=2",
                "max_grad_norm=0.8", "save_every=3", "keep_last=2", "seed=5", "min_lr_ratio=0.1")).config();
    }

    /** The result of a (partial) run. */
    record Outcome(Map<String, float[]> weights, Map<String, float[]> optimizer, long step) {
    }

    /**
     * Trains up to update {@code stopAfter} in {@code runDir}, resuming from its latest checkpoint when
     * {@code resume}. The model starts from {@code initSeed}: a resumed run uses a different one, so only the
     * checkpoint can make it match.
     */
    private static Outcome train(Path runDir, long stopAfter, boolean resume, long initSeed) {
        TrainConfig cfg = config();
        CheckpointManager checkpoints = new CheckpointManager(runDir, cfg.keepLast());
        try (SingleThreaded st = new SingleThreaded(); NDManager root = Engines.newManager();
                ToyModel model = new ToyModel(root, initSeed, 77, 23)) {
            long total = cfg.totalSteps(model.labels.length);
            try (ParameterUpdater updater = cfg.updater(model.params, total)) {
                TrainState state = TrainState.start(cfg.seed());
                if (resume) {
                    Checkpoint latest = checkpoints.latest().orElseThrow();
                    state = latest.restore(model.params, updater);
                }
                DataOrder.Cursor cursor = new DataOrder(model.labels.length, cfg.seed(), cfg.shuffle())
                        .cursor(state.dataPosition());
                try (MetricsLog log = MetricsLog.open(runDir.resolve("metrics.jsonl"), state.globalStep())) {
                    while (updater.globalStep() < stopAfter) {
                        SplittableRandom noise = StepRandom.at(cfg.seed(), updater.globalStep(), "noise");
                        double loss = 0;
                        for (int micro = 0; micro < cfg.gradAccum(); micro++) {
                            loss += model.backward(root, cursor.nextBatch(cfg.batchSize()), noise);
                        }
                        ParameterUpdater.Update u = updater.step(1.0 / cfg.gradAccum());
                        log.append(u.step(), Map.of("loss", loss / cfg.gradAccum(), "lr", u.lr(),
                                "grad_norm", u.gradNorm(), "epoch", cursor.epoch()));
                        state = state.at(u.step(), cursor.position()).withMetric("loss", loss, false);
                        if (cfg.shouldSave(u.step())) {
                            checkpoints.save(state, model.params, updater.optimizer(), dir -> {
                                Files.writeString(dir.resolve(CheckpointDir.CONFIG), "{\"model_type\": \"toy\"}");
                                Files.write(dir.resolve(CheckpointDir.PROVENANCE),
                                        Json.PRETTY.writeValueAsBytes(Provenance.of("test").withSeed(5).toJson()));
                            });
                        }
                    }
                }
                Map<String, float[]> weights = new LinkedHashMap<>();
                model.params.forEach((k, v) -> weights.put(k, v.toFloatArray()));
                Map<String, float[]> opt = new LinkedHashMap<>();
                updater.optimizer().stateTensors().forEach((k, v) -> opt.put(k, v.toFloatArray()));
                return new Outcome(weights, opt, updater.globalStep());
            }
        }
    }

    @Test
    void resumedRunMatchesUninterruptedRun() throws Exception {
        Path straightDir = tmp.resolve("straight");
        Path resumedDir = tmp.resolve("resumed");
        Outcome straight = train(straightDir, 12, false, 1);
        // First half, then everything is dropped (all managers closed) as a kill would.
        train(resumedDir, 7, false, 1); // runs one step past the checkpoint at 6: that step must be redone
        Outcome resumed = train(resumedDir, 12, true, 999);

        assertThat(resumed.step()).isEqualTo(12);
        for (String name : straight.weights().keySet()) {
            assertThat(resumed.weights().get(name)).as(name).containsExactly(straight.weights().get(name));
        }
        for (String name : straight.optimizer().keySet()) {
            assertThat(resumed.optimizer().get(name)).as(name).containsExactly(straight.optimizer().get(name));
        }
        // Same curve, no duplicated steps (step 7 of the first half was dropped and logged again).
        List<Map<String, Object>> a = MetricsLog.read(straightDir.resolve("metrics.jsonl"));
        List<Map<String, Object>> b = MetricsLog.read(resumedDir.resolve("metrics.jsonl"));
        assertThat(b).hasSize(12);
        assertThat(b).isEqualTo(a);
        // Schedule really moved: warmup from 0, then decay.
        assertThat(((Number) a.get(0).get("lr")).doubleValue()).isZero();
        assertThat(((Number) a.get(3).get("lr")).doubleValue()).isEqualTo(0.05);
        assertThat(((Number) a.get(11).get("loss")).doubleValue())
                .isLessThan(((Number) a.get(0).get("loss")).doubleValue());

        // keep_last = 2: only the newest two remain, each a complete, transformers-style folder.
        CheckpointManager cm = new CheckpointManager(straightDir, 2);
        assertThat(cm.list()).extracting(Checkpoint::step).containsExactly(9L, 12L);
        Checkpoint last = cm.latest().orElseThrow();
        TrainState state = last.state();
        assertThat(state.globalStep()).isEqualTo(12);
        assertThat(state.seed()).isEqualTo(5);
        // 24 micro-batches of 5 over 23 samples (5 batches per epoch: 5,5,5,5,3): epoch 4, 4 batches in.
        assertThat(state.dataPosition()).isEqualTo(new DataPosition(4, 20));
        assertThat(state.bestMetrics()).containsKey("loss");
        try (CheckpointDir dir = CheckpointDir.open(last.dir())) {
            assertThat(dir.weights().names()).containsExactlyInAnyOrderElementsOf(straight.weights().keySet());
            assertThat(dir.weights().metadata()).containsEntry("format", "pt");
            assertThat(dir.weights().readFloats("lm_head.weight")).containsExactly(
                    straight.weights().get("lm_head.weight"));
            assertThat(dir.provenance()).isPresent();
        }
    }

    @Test
    void latestIgnoresUnfinishedAndForeignFolders() throws Exception {
        Path runDir = tmp.resolve("run");
        train(runDir, 3, false, 1);
        CheckpointManager cm = new CheckpointManager(runDir, 2);
        Path root = cm.root();
        // A kill during a save leaves a hidden partial folder; a folder lacking files is not a checkpoint.
        Files.createDirectories(root.resolve(".step-6.partial-123"));
        Files.writeString(root.resolve(".step-6.partial-123/trainer_state.json"), "{\"global_step\": 6}");
        Files.createDirectories(root.resolve("step-9"));
        Files.writeString(root.resolve("step-9/trainer_state.json"), "{\"global_step\": 9}");
        Files.createDirectories(root.resolve("step-x"));
        Optional<Checkpoint> latest = cm.latest();
        assertThat(latest).isPresent();
        assertThat(latest.get().step()).isEqualTo(3);
        // The next save cleans the leftovers of the interrupted one.
        train(runDir, 6, true, 1);
        assertThat(root.resolve(".step-6.partial-123")).doesNotExist();
        assertThat(cm.latest().orElseThrow().step()).isEqualTo(6);
    }

    @Test
    void loadingIntoAnotherModelFailsClearly() throws Exception {
        Path runDir = tmp.resolve("run2");
        train(runDir, 3, false, 1);
        Checkpoint c = new CheckpointManager(runDir, 2).latest().orElseThrow();
        try (NDManager root = Engines.newManager()) {
            Map<String, NDArray> other = new LinkedHashMap<>();
            other.put("lm_head.weight", root.create(new float[6]).reshape(2, 3));
            other.put("model.extra.weight", root.create(new float[1]));
            assertThatThrownBy(() -> c.loadWeightsInto(other)).hasMessageContaining("model.safetensors")
                    .hasMessageContaining("missing [model.extra.weight]")
                    .hasMessageContaining("not in the model");
            Map<String, NDArray> wrongShape = new LinkedHashMap<>();
            try (ToyModel m = new ToyModel(root, 1, 4)) {
                wrongShape.putAll(m.params);
                wrongShape.put("lm_head.weight", root.create(new float[6]).reshape(3, 2));
                assertThatThrownBy(() -> c.loadWeightsInto(wrongShape)).hasMessageContaining("'lm_head.weight'")
                        .hasMessageContaining("shape");
                m.params.get("lm_head.weight").setRequiresGradient(false);
                try (AdamW fewer = new AdamW(m.params, AdamW.Settings.defaults())) {
                    assertThatThrownBy(() -> c.loadOptimizerInto(fewer)).hasMessageContaining("optimizer.safetensors")
                            .hasMessageContaining("not trainable here [lm_head.weight]");
                }
            }
        }
    }
}

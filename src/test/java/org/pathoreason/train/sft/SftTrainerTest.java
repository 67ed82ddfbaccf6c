package org.pathoreason.train.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.train.RunInfo;

class SftTrainerTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;
    static int threads;

    @BeforeAll
    static void setUp() {
        Engines.start();
        // the tiny model's tensors gain nothing from threads; on a loaded 2-core machine they only wait
        threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        model = SftFixtures.modelDir(dir.resolve("model"), 11);
        data = SftFixtures.dataset(dir.resolve("data"), "train.jsonl", 8);
    }

    @AfterAll
    static void tearDown() {
        JniUtils.setNumThreads(threads);
    }

    private static SftTrainer trainer(Path out, String... overrides) {
        List<String> all = new ArrayList<>(List.of("train.lr=3e-3", "train.lr_schedule=constant",
                "train.batch_size=4", "train.save_every=2", "train.keep_last=2", "sft.prompt_style=plain"));
        all.addAll(List.of(overrides));
        return new SftTrainer(Stage.SFT, SftConfig.load(null, all), data, model, out).progressBar(false);
    }

    private static List<Double> series(Path run, String key) {
        List<Double> out = new ArrayList<>();
        for (Map<String, Object> row : MetricsLog.read(run.resolve("metrics.jsonl"))) {
            if (row.containsKey(key)) {
                out.add(((Number) row.get(key)).doubleValue());
            }
        }
        return out;
    }

    @Test
    void theBuilderTrainsAnOpenCheckpointOnInMemorySamples() {
        Path out = dir.resolve("runs/in-memory");
        List<org.pathoreason.data.Sample> samples = org.pathoreason.data.SampleJsonl.read(data);
        try (ai.djl.ndarray.NDManager m = Engines.newManager();
             org.pathoreason.model.CheckpointBundle ckpt = org.pathoreason.model.CheckpointBundle.open(model, m)) {
            SftTrainer.Result r = SftTrainer.builder().setStage(Stage.SFT)
                    .setConfig(SftConfig.load(null, List.of("train.lr=3e-3", "train.lr_schedule=constant",
                            "train.batch_size=4", "train.save_every=0", "train.max_steps=12", "sft.prompt_style=plain")))
                    .setCheckpoint(ckpt).setSamples(samples, data.getParent()).setRunDir(out).build().run();
            List<Double> loss = series(out, "loss");
            assertThat(loss).hasSize(12);
            assertThat(r.lastLoss()).isLessThan(0.7 * loss.get(0));
            assertThat(r.trainExamples()).isEqualTo(samples.size());
            assertThat(out.resolve("final/model.safetensors")).exists();
            assertThat(org.pathoreason.train.RunInfo.read(out).path("provenance").path("data_fingerprint").asText())
                    .startsWith("sha256:");
        }
    }

    @Test
    void aFewStepsLowerTheLossOnATinyOverfitSet() {
        Path out = dir.resolve("runs/overfit");
        SftTrainer.Result r = trainer(out, "train.max_steps=16", "train.eval_every=8", "train.save_every=0", "sft.val_data=" + data)
                .run();
        List<Double> loss = series(out, "loss");
        assertThat(loss).hasSize(16);
        assertThat(r.lastLoss()).isLessThan(0.5 * loss.get(0));
        List<Double> val = series(out, "val_loss");
        assertThat(val).hasSize(2);
        assertThat(val.get(1)).isLessThan(val.get(0));
        assertThat(r.lastValLoss()).isEqualTo(val.get(1));
    }

    /** Interrupts a run the way a kill does: no final save, no clean-up of the step in progress. */
    private static final class Killed extends RuntimeException {
        Killed() {
            super("killed");
        }
    }

    @Test
    void aResumedRunReachesTheSameLossAtTheSameStep() throws Exception {
        Path straight = dir.resolve("runs/straight");
        trainer(straight, "train.max_steps=4", "train.grad_accum=2", "train.batch_size=2",
                "train.lr_schedule=cosine", "train.warmup_steps=1", "sft.shuffle_options=true").run();

        Path interrupted = dir.resolve("runs/interrupted");
        SftTrainer first = trainer(interrupted, "train.max_steps=4", "train.grad_accum=2", "train.batch_size=2",
                "train.lr_schedule=cosine", "train.warmup_steps=1", "sft.shuffle_options=true").listener((step, m) -> {
                    if (step == 3) {
                        throw new Killed();
                    }
                });
        assertThatThrownBy(first::run).isInstanceOf(Killed.class);
        assertThat(interrupted.resolve("final")).doesNotExist();
        assertThat(interrupted.resolve("checkpoints/step-2")).isDirectory();
        assertThat(series(interrupted, "loss")).hasSize(3);

        SftTrainer.Result resumed = trainer(interrupted, "train.max_steps=4", "train.grad_accum=2",
                "train.batch_size=2", "train.lr_schedule=cosine", "train.warmup_steps=1", "sft.shuffle_options=true", "sft.shuffle_options=true").run();
        assertThat(resumed.resumedFrom()).isEqualTo(2);
        assertThat(resumed.stepsThisRun()).isEqualTo(2);

        List<Double> a = series(straight, "loss");
        List<Double> b = series(interrupted, "loss");
        assertThat(b).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(b.get(i)).as("loss at step %d", i + 1).isCloseTo(a.get(i), within(1e-6 * a.get(i)));
        }
        List<Double> na = series(straight, "grad_norm");
        List<Double> nb = series(interrupted, "grad_norm");
        assertThat(nb.get(3)).isCloseTo(na.get(3), within(1e-5 * na.get(3)));
        assertThat(RunInfo.read(interrupted).get("resumes")).hasSize(1);
        // keep_last 2: steps 2 and 4 (the final state) remain
        assertThat(Files.list(interrupted.resolve("checkpoints")).map(p -> p.getFileName().toString()).sorted()
                .toList()).containsExactly("step-2", "step-4");
        assertThat(Files.readAllBytes(interrupted.resolve("final/model.safetensors")))
                .isEqualTo(Files.readAllBytes(straight.resolve("final/model.safetensors")));

        // a different config is not resumed into the same folder
        Path other = dir.resolve("runs/other");
        assertThatThrownBy(() -> trainer(other, "train.max_steps=3", "train.batch_size=1", "train.save_every=1").listener((s, m) -> {
            throw new Killed();
        }).run()).isInstanceOf(Killed.class);
        assertThatThrownBy(() -> trainer(other, "train.max_steps=4", "train.batch_size=1", "train.save_every=1").run())
                .hasMessageContaining("another config");
    }

    @Test
    void checkpointsAndFinalAreLoadableModelFoldersWithProvenance() throws Exception {
        Path out = dir.resolve("runs/folders");
        trainer(out, "train.max_steps=3", "train.save_every=1", "train.keep_last=5").run();
        for (String sub : List.of("checkpoints/step-1", "final")) {
            Path d = out.resolve(sub);
            try (CheckpointDir c = CheckpointDir.open(d)) {
                assertThat(c.tokenizerJson()).isPresent();
                assertThat(c.tokenizerConfig()).isPresent();
                assertThat(c.preprocessorConfig()).isPresent();
                assertThat(c.generationConfig()).isPresent();
                assertThat(c.provenance()).hasValueSatisfying(p -> {
                    assertThat(p.stage()).isEqualTo("sft");
                    assertThat(p.parentCheckpoint()).isEqualTo(model.toAbsolutePath().toString());
                    assertThat(p.dataFingerprint()).startsWith("sha256:");
                    assertThat(p.seed()).isEqualTo(42L);
                    assertThat(p.metrics()).containsKey("loss");
                });
            }
            try (NDManager root = Engines.newManager();
                 Qwen2VLModel m = Qwen2VLModel.load(d, root);
                 Qwen2VLModel base = Qwen2VLModel.load(model, root)) {
                assertThat(m.config()).isEqualTo(base.config());
                assertThat(m.parameters().keySet()).containsExactlyElementsOf(base.parameters().keySet());
            }
        }
        JsonNode run = RunInfo.read(out);
        assertThat(run.get("stage").asText()).isEqualTo("sft");
        assertThat(run.at("/config/train/max_steps").asLong()).isEqualTo(3);
        assertThat(run.at("/config/sft/prompt_style").asText()).isEqualTo("plain");
        assertThat(run.at("/provenance/data_summary/train_examples").asInt()).isEqualTo(8);
        assertThat(run.at("/provenance/data_summary/bad_samples_skipped").asInt()).isZero();
        Map<String, Object> firstLine = MetricsLog.read(out.resolve("metrics.jsonl")).get(0);
        assertThat(firstLine).containsKeys("loss", "lr", "grad_norm", "tokens_per_s", "bad_samples_skipped");
        assertThatThrownBy(() -> trainer(out, "train.max_steps=3", "train.save_every=1", "train.keep_last=5").run())
                .hasMessageContaining("finished run");
    }

    @Test
    void frozenPartsStayUnchanged() {
        Path out = dir.resolve("runs/frozen");
        trainer(out, "train.max_steps=2", "train.freeze_vision=true", "train.freeze_merger=true").run();
        try (NDManager root = Engines.newManager();
             Qwen2VLModel before = Qwen2VLModel.load(model, root);
             Qwen2VLModel after = Qwen2VLModel.load(out.resolve("final"), root)) {
            before.parameters().forEach((name, p) -> {
                NDArray q = after.parameters().get(name);
                boolean same = p.contentEquals(q);
                assertThat(same).as(name).isEqualTo(name.startsWith("visual."));
            });
        }
    }

    @Test
    void noArrayOutlivesItsStep() {
        Path out = dir.resolve("runs/memory");
        List<Integer> live = new ArrayList<>();
        trainer(out, "train.max_steps=20", "train.batch_size=2", "train.save_every=10", "train.eval_every=10",
                "sft.val_data=" + data, "sft.val_max_samples=2").listener((step, m) -> {
                    if (step % 5 == 0) {
                        try (NDManager probe = Engines.newManager()) {
                            // everything the engine holds: model, optimiser state, any leaked step array
                            live.add(probe.getParentManager().getManagedArrays().size());
                        }
                    }
                }).run();
        assertThat(live).hasSize(4);
        assertThat(live.get(0)).isGreaterThan(SftFixtures.config().vision().depth());
        assertThat(live).allSatisfy(n -> assertThat(n).isEqualTo(live.get(0)));
    }
}

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.lora.LoraAdapter;
import org.pathoreason.model.lora.LoraConfig;
import org.pathoreason.model.lora.LoraTraining;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.util.Json;

/** LoRA training through SFT on the tiny model: what changes, what does not, what is saved, and resuming. */
class LoraSftTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;
    static int threads;
    static final ModelInput INPUT = ModelInput.padded(List.of(new long[] {5, 17, 42, 99, 3, 64, 120, 7, 300, 11}),
            0, true, new float[0], List.of());

    @BeforeAll
    static void setUp() {
        Engines.start();
        threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        model = SftFixtures.modelDir(dir.resolve("model"), 11);
        data = SftFixtures.dataset(dir.resolve("data"), "train.jsonl", 8);
    }

    @AfterAll
    static void tearDown() {
        JniUtils.setNumThreads(threads);
    }

    private static List<String> overrides(String... more) {
        List<String> all = new ArrayList<>(List.of("train.lr=2e-2", "train.lr_schedule=constant",
                "train.batch_size=4", "train.save_every=2", "train.keep_last=2", "sft.prompt_style=plain",
                "lora.enabled=true"));
        all.addAll(List.of(more));
        return all;
    }

    private static float[] logits(VisionLanguageModel m) {
        try (NDManager step = Engines.newManager()) {
            return m.logits(INPUT, step).toFloatArray();
        }
    }

    private static Map<String, float[]> values(Map<String, NDArray> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void zeroBAtInitGivesTheBaseLogitsAndOnlyAdaptersTrain() {
        try (NDManager root = Engines.newManager(); Qwen2VLModel m = Qwen2VLModel.load(model, root)) {
            float[] base = logits(m);
            LoraTraining lora = LoraTraining.attach(m, LoraConfig.forTraining(4, 8, 0.1, LoraConfig.LANGUAGE_LINEAR,
                    false, false), 3);
            int layers = m.config().text().numLayers();
            assertThat(lora.modules()).isEqualTo(7 * layers);
            assertThat(lora.parameters()).hasSize(14 * layers)
                    .containsKey("base_model.model.model.language_model.layers.0.self_attn.q_proj.lora_A.weight")
                    .containsKey("base_model.model.model.language_model.layers.0.mlp.down_proj.lora_B.weight");
            assertThat(m.trainableParameters().keySet()).isEqualTo(lora.parameters().keySet());
            assertThat(m.parameters().values()).noneMatch(NDArray::hasGradient);
            // A is U(-1/sqrt(in), 1/sqrt(in)) (PEFT's kaiming_uniform a=sqrt(5)); B is zero
            int hidden = m.config().text().hiddenSize();
            float[] a = lora.parameters().get("base_model.model.model.language_model.layers.0.self_attn.q_proj"
                    + ".lora_A.weight").toFloatArray();
            assertThat(maxAbs(a)).isLessThanOrEqualTo(1 / Math.sqrt(hidden)).isGreaterThan(0.8 / Math.sqrt(hidden));
            assertThat(logits(m)).isEqualTo(base);
        }
        // vision targets only when asked: the names also match the vision blocks' gate/up/down projections
        try (NDManager root = Engines.newManager(); Qwen2VLModel m = Qwen2VLModel.load(model, root)) {
            LoraTraining lora = LoraTraining.attach(m, LoraConfig.forTraining(4, 8, 0, LoraConfig.LANGUAGE_LINEAR,
                    false, true), 3);
            int blocks = m.config().vision().depth();
            assertThat(lora.modules()).isEqualTo(7 * m.config().text().numLayers() + 3 * blocks);
        }
    }

    @Test
    void loraSftChangesOnlyTheAdaptersLowersTheLossAndSavesAPeftAdapter() throws Exception {
        Path out = dir.resolve("runs/lora");
        List<Sample> samples = SampleJsonl.read(data);
        try (NDManager m = Engines.newManager(); CheckpointBundle ckpt = CheckpointBundle.open(model, m);
             CheckpointBundle fresh = CheckpointBundle.open(model, m)) {
            Map<String, float[]> before = values(ckpt.model().parameters());
            float[] baseLogits = logits(fresh.model());
            SftTrainer.Result r = SftTrainer.builder().setConfig(SftConfig.load(null, overrides("train.max_steps=8",
                    "train.save_every=4", "train.lr=5e-2"))).setCheckpoint(ckpt).setSamples(samples, data.getParent()).setRunDir(out)
                    .build().run();
            List<Double> loss = new ArrayList<>();
            for (Map<String, Object> row : MetricsLog.read(out.resolve("metrics.jsonl"))) {
                loss.add(((Number) row.get("loss")).doubleValue());
            }
            assertThat(loss).hasSize(8);
            // the frozen random base bounds what rank 8 can fit; measured 6.36 -> 5.75 over 8 steps
            assertThat(r.lastLoss()).isLessThan(loss.get(0) - 0.3);
            assertThat(loss.subList(5, 8).stream().mapToDouble(Double::doubleValue).max().orElseThrow())
                    .isLessThan(loss.subList(0, 3).stream().mapToDouble(Double::doubleValue).min().orElseThrow());
            // the base weights are bit for bit what was loaded
            Map<String, float[]> after = values(ckpt.model().parameters());
            assertThat(after.keySet()).isEqualTo(before.keySet());
            before.forEach((k, v) -> assertThat(after.get(k)).as(k).isEqualTo(v));
            VisionLanguageModel trained = ckpt.model();
            assertThat(trained.lowRank().branches()).isNotEmpty();
            for (var b : trained.lowRank().branches()) {
                assertThat(maxAbs(b.b().toFloatArray())).as(b.weight()).isPositive();
            }

            // final/ and step-N/ hold the adapter in PEFT's layout, never the base
            Path fin = out.resolve("final");
            assertThat(fin.resolve("adapter_config.json")).exists();
            assertThat(fin.resolve("adapter_model.safetensors")).exists();
            assertThat(fin.resolve("model.safetensors")).doesNotExist();
            Path step4 = out.resolve("checkpoints/step-4");
            assertThat(step4.resolve("adapter_model.safetensors")).exists();
            assertThat(step4.resolve("optimizer.safetensors")).exists();
            assertThat(step4.resolve("trainer_state.json")).exists();
            assertThat(step4.resolve("model.safetensors")).doesNotExist();
            JsonNode cfg = Json.MAPPER.readTree(fin.resolve("adapter_config.json").toFile());
            assertThat(cfg.path("peft_type").asText()).isEqualTo("LORA");
            assertThat(cfg.path("r").asInt()).isEqualTo(8);
            assertThat(cfg.path("lora_alpha").asInt()).isEqualTo(16);
            assertThat(cfg.path("base_model_name_or_path").asText())
                    .isEqualTo(model.toAbsolutePath().normalize().toString());

            // the adapted model's logits are those of the base with the saved adapter merged in
            float[] adapted = logits(trained);
            LoraAdapter saved = LoraAdapter.read(fin);
            assertThat(saved.modules()).hasSize(trained.lowRank().branches().size());
            try (CheckpointBundle merged = CheckpointBundle.open(model, m,
                    CheckpointBundle.Options.adapter(saved))) {
                float[] mergedLogits = logits(merged.model());
                double scale = maxAbs(mergedLogits);
                for (int i = 0; i < adapted.length; i++) {
                    assertThat((double) adapted[i]).isCloseTo(mergedLogits[i], within(1e-5 * scale));
                }
            }
            assertThat(adapted).isNotEqualTo(baseLogits);
            // switched off, the adapted model is the base exactly (GRPO's reference policy)
            trained.lowRank().setEnabled(false);
            assertThat(logits(trained)).isEqualTo(baseLogits);
            trained.lowRank().setEnabled(true);
            assertThat(logits(trained)).isEqualTo(adapted);
        }
    }

    /** Interrupts a run the way a kill does. */
    private static final class Killed extends RuntimeException {
        Killed() {
            super("killed");
        }
    }

    @Test
    void aKilledLoraRunResumesExactly() throws Exception {
        String[] cfg = {"train.max_steps=4", "train.batch_size=2", "train.grad_accum=2", "lora.dropout=0.1",
            "lora.r=4"};
        Path straight = dir.resolve("runs/lora-straight");
        new SftTrainer(Stage.SFT, SftConfig.load(null, overrides(cfg)), data, model, straight).progressBar(false)
                .run();
        Path interrupted = dir.resolve("runs/lora-interrupted");
        SftTrainer first = new SftTrainer(Stage.SFT, SftConfig.load(null, overrides(cfg)), data, model, interrupted)
                .progressBar(false).listener((step, m) -> {
                    if (step == 3) {
                        throw new Killed();
                    }
                });
        assertThatThrownBy(first::run).isInstanceOf(Killed.class);
        assertThat(interrupted.resolve("checkpoints/step-2/adapter_model.safetensors")).exists();
        SftTrainer.Result resumed = new SftTrainer(Stage.SFT, SftConfig.load(null, overrides(cfg)), data, model,
                interrupted).progressBar(false).run();
        assertThat(resumed.resumedFrom()).isEqualTo(2);
        List<Map<String, Object>> a = MetricsLog.read(straight.resolve("metrics.jsonl"));
        List<Map<String, Object>> b = MetricsLog.read(interrupted.resolve("metrics.jsonl"));
        assertThat(b).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(b.get(i).get("loss")).as("loss at step %d", i + 1).isEqualTo(a.get(i).get("loss"));
        }
        assertThat(Files.readAllBytes(interrupted.resolve("final/adapter_model.safetensors")))
                .isEqualTo(Files.readAllBytes(straight.resolve("final/adapter_model.safetensors")));
        // dropout is on in training passes: the same run without it computes other losses
        Path noDropout = dir.resolve("runs/lora-no-dropout");
        List<String> off = overrides(cfg);
        off.add("lora.dropout=0");
        new SftTrainer(Stage.SFT, SftConfig.load(null, off), data, model, noDropout).progressBar(false).run();
        assertThat(MetricsLog.read(noDropout.resolve("metrics.jsonl")).get(1).get("loss"))
                .isNotEqualTo(a.get(1).get("loss"));
    }
}

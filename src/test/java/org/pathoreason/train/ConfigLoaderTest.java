package org.pathoreason.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    /** How a stage composes the shared hyperparameters with its own: one section each. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record StageOptions(String systemPrompt, boolean maskGuidance, Map<String, Double> rewardWeights) {
    }

    record StageConfig(TrainConfig train, StageOptions stage) {
        static StageConfig defaults() {
            return new StageConfig(TrainConfig.defaults(), new StageOptions("think", false, Map.of("format", 1.0)));
        }
    }

    @Test
    void defaultsFileThenOverrides() throws Exception {
        Path yaml = dir.resolve("sft.yaml");
        Files.writeString(yaml, """
                # SFT on the synthetic world
                lr: 2e-5
                lr_schedule: linear
                batch_size: 4
                freeze_vision: true
                no_decay: ["\\\\.bias$", norm]
                """);
        ConfigLoader.Resolved<TrainConfig> r = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), yaml,
                List.of("batch_size=8", "max_grad_norm=0.5", "no_decay=[bias]"));
        TrainConfig c = r.config();
        assertThat(c.lr()).isEqualTo(2e-5);
        assertThat(c.lrSchedule()).isEqualTo("linear");
        assertThat(c.batchSize()).isEqualTo(8);
        assertThat(c.maxGradNorm()).isEqualTo(0.5);
        assertThat(c.freezeVision()).isTrue();
        assertThat(c.noDecay()).containsExactly("bias");
        assertThat(c.seed()).isEqualTo(TrainConfig.defaults().seed());
        // The tree carries every key, snake_case.
        assertThat(r.tree().get("grad_accum").asInt()).isEqualTo(1);
        assertThat(r.tree().get("freeze_vision").asBoolean()).isTrue();
    }

    @Test
    void jsonFileAndNestedSections() throws Exception {
        Path json = dir.resolve("stage.json");
        Files.writeString(json, "{\"train\": {\"lr\": 0.001, \"max_steps\": 50}, "
                + "\"stage\": {\"mask_guidance\": true, \"reward_weights\": {\"accuracy\": 2.0}}}");
        StageConfig c = ConfigLoader.load(StageConfig.class, StageConfig.defaults(), json,
                List.of("train.seed=7", "stage.system_prompt=chain of draft")).config();
        assertThat(c.train().lr()).isEqualTo(0.001);
        assertThat(c.train().maxSteps()).isEqualTo(50);
        assertThat(c.train().seed()).isEqualTo(7);
        assertThat(c.train().batchSize()).isEqualTo(1);
        assertThat(c.stage().maskGuidance()).isTrue();
        assertThat(c.stage().systemPrompt()).isEqualTo("chain of draft");
        // Maps merge with the defaults key by key.
        assertThat(c.stage().rewardWeights()).containsEntry("accuracy", 2.0).containsEntry("format", 1.0);
    }

    @Test
    void unknownKeysNameTheKeyAndTheirSource() throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "lr: 1e-5\nlearning_rate: 1e-4\n");
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), yaml, List.of()))
                .hasMessageContaining("bad.yaml").hasMessageContaining("unknown key 'learning_rate'")
                .hasMessageContaining("weight_decay");
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null,
                List.of("lr=1e-5", "warmup=3")))
                .hasMessageContaining("--set warmup=3").hasMessageContaining("unknown key 'warmup'");
        Path nested = dir.resolve("nested.yaml");
        Files.writeString(nested, "train:\n  lrr: 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(StageConfig.class, StageConfig.defaults(), nested, List.of()))
                .hasMessageContaining("nested.yaml").hasMessageContaining("'train.lrr'");
        assertThatThrownBy(() -> ConfigLoader.load(StageConfig.class, StageConfig.defaults(), null,
                List.of("sft.lr=1"))).hasMessageContaining("'sft' is not a known section");
    }

    @Test
    void badValuesAreReportedWithKeyAndSource() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null,
                List.of("batch_size=four"))).hasMessageContaining("--set batch_size=four")
                .hasMessageContaining("'batch_size' must be an integer");
        Path yaml = dir.resolve("range.yaml");
        Files.writeString(yaml, "beta2: 1.5\n");
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), yaml, List.of()))
                .hasMessageContaining("range.yaml").hasMessageContaining("beta2 must be a number in [0, 1)");
        Files.writeString(yaml, "lr_schedule: cosin\n");
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), yaml, List.of()))
                .hasMessageContaining("unknown lr schedule 'cosin'");
        Files.writeString(yaml, "lr: [1\n");
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), yaml, List.of()))
                .hasMessageContaining("range.yaml").hasMessageContaining("not valid YAML/JSON");
        Files.writeString(yaml, "- lr\n");
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), yaml, List.of()))
                .hasMessageContaining("expected a mapping");
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), dir.resolve("no.yaml"),
                List.of())).hasMessageContaining("config file not found");
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null,
                List.of("lr"))).hasMessageContaining("KEY=VALUE");
    }

    @Test
    void derivedStepsAndWarmupFollowTransformers() {
        TrainConfig c = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null,
                List.of("batch_size=4", "grad_accum=3", "epochs=2", "warmup_ratio=0.1")).config();
        // 50 samples -> 13 batches -> 4 updates per epoch -> 8 updates; warmup ceil(0.8) = 1.
        assertThat(c.totalSteps(50)).isEqualTo(8);
        assertThat(c.warmupSteps(8)).isEqualTo(1);
        assertThat(c.schedule(8).lr(0)).isEqualTo(0.0);
        assertThat(c.schedule(8).lr(1)).isEqualTo(c.lr());
        TrainConfig fixed = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), null,
                List.of("max_steps=100", "warmup_steps=5", "warmup_ratio=0.5")).config();
        assertThat(fixed.totalSteps(50)).isEqualTo(100);
        assertThat(fixed.warmupSteps(100)).isEqualTo(5);
    }

    @Test
    void runJsonKeepsResolvedConfigAndProvenance() throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "lr: 3e-5\n");
        ConfigLoader.Resolved<TrainConfig> r = ConfigLoader.load(TrainConfig.class, TrainConfig.defaults(), yaml,
                List.of("seed=9"));
        Path runDir = dir.resolve("runs/x");
        RunInfo.write(runDir, "sft", r, Map.of("data", "world/train.jsonl"));
        JsonNode run = RunInfo.read(runDir);
        assertThat(run.get("stage").asText()).isEqualTo("sft");
        assertThat(run.at("/provenance/config_file").asText()).endsWith("c.yaml");
        assertThat(run.at("/provenance/config_sha256").asText()).hasSize(64);
        assertThat(run.at("/provenance/overrides/0").asText()).isEqualTo("seed=9");
        assertThat(run.at("/provenance/data").asText()).isEqualTo("world/train.jsonl");
        assertThat(RunInfo.readConfig(runDir, TrainConfig.class)).isEqualTo(r.config());
        RunInfo.recordResume(runDir, 40);
        assertThat(RunInfo.read(runDir).at("/resumes/0/step").asLong()).isEqualTo(40);
        assertThat(RunInfo.readConfig(runDir, TrainConfig.class)).isEqualTo(r.config());
    }
}

package org.pathoreason.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.util.Json;

class CheckpointDirTest {

    @TempDir
    Path dir;

    private static ObjectNode config(int hidden) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("model_type", "qwen2_5_vl");
        c.put("hidden_size", hidden);
        c.putArray("architectures").add("Qwen2_5_VLForConditionalGeneration");
        return c;
    }

    private static SafetensorsWriter weights(float value) {
        return new SafetensorsWriter()
                .put("lm_head.weight", DType.BF16, new long[] {2, 2}, new float[] {value, 1, 2, 3})
                .put("model.embed_tokens.weight", DType.F32, new long[] {2, 2}, new float[] {4, 5, 6, value});
    }

    private static Provenance provenance() {
        return new Provenance("sft", "runs/pretrain/final", "sha256:abc", 42L, Map.of("loss", 0.25, "acc", 0.5),
                Instant.parse("2025-03-01T10:15:30Z"), "0.1.0");
    }

    private static CheckpointContents contents(float value) {
        ObjectNode tokConfig = Json.MAPPER.createObjectNode();
        tokConfig.put("chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}");
        ObjectNode gen = Json.MAPPER.createObjectNode();
        gen.put("temperature", 0.7);
        ObjectNode pre = Json.MAPPER.createObjectNode();
        pre.put("image_processor_type", "Qwen2VLImageProcessor");
        return new CheckpointContents()
                .config(config(64))
                .weights(weights(value))
                .provenance(provenance())
                .tokenizerJson("{\"version\":\"1.0\"}")
                .tokenizerConfig(tokConfig)
                .generationConfig(gen)
                .preprocessorConfig(pre)
                .file("README.md", "notes".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writesAndReadsTheWholeLayout() throws IOException {
        Path target = dir.resolve("step-10");
        CheckpointDir.write(target, contents(9));
        try (Stream<Path> files = Files.list(target)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.json",
                    "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
                    "preprocessor_config.json", "pathoreason.json", "README.md");
        }
        try (CheckpointDir c = CheckpointDir.open(target)) {
            assertThat(c.config().get("hidden_size").asInt()).isEqualTo(64);
            assertThat(c.weights().readFloats("lm_head.weight")).containsExactly(9, 1, 2, 3);
            assertThat(c.weights().info("lm_head.weight").dtype()).isEqualTo(DType.BF16);
            assertThat(c.weights().metadata()).containsEntry("format", "pt");
            assertThat(c.tokenizerJson()).contains(target.resolve("tokenizer.json"));
            assertThat(c.chatTemplate()).contains("{% for m in messages %}{{ m.content }}{% endfor %}");
            assertThat(c.generationConfig().orElseThrow().get("temperature").asDouble()).isEqualTo(0.7);
            assertThat(c.preprocessorConfig().orElseThrow().get("image_processor_type").asText())
                    .isEqualTo("Qwen2VLImageProcessor");
            assertThat(c.provenance()).contains(provenance());
            assertThat(c.file("README.md")).isPresent();
        }
        assertThat(CheckpointDir.isCheckpoint(target)).isTrue();
    }

    @Test
    void shardsLargeWeightsWithAnIndex() throws IOException {
        Path target = dir.resolve("sharded");
        CheckpointDir.write(target, contents(3).maxShardBytes(10));
        assertThat(target.resolve("model.safetensors.index.json")).exists();
        assertThat(target.resolve("model.safetensors")).doesNotExist();
        try (CheckpointDir c = CheckpointDir.open(target)) {
            assertThat(c.weights().fileCount()).isEqualTo(2);
            assertThat(c.weights().readFloats("model.embed_tokens.weight")).containsExactly(4, 5, 6, 3);
        }
    }

    @Test
    void foreignCheckpointsWithoutOptionalFilesOpen() throws IOException {
        Path hf = Files.createDirectory(dir.resolve("hf"));
        Files.writeString(hf.resolve("config.json"), "{\"model_type\":\"qwen2_5_vl\"}");
        weights(1).write(hf.resolve("model.safetensors"));
        Files.writeString(hf.resolve("chat_template.jinja"), "{{ messages }}");
        try (CheckpointDir c = CheckpointDir.open(hf)) {
            assertThat(c.provenance()).isEmpty();
            assertThat(c.tokenizerJson()).isEmpty();
            assertThat(c.preprocessorConfig()).isEmpty();
            assertThat(c.generationConfig()).isEmpty();
            assertThat(c.chatTemplate()).contains("{{ messages }}");
        }
    }

    @Test
    void refusesFoldersMissingConfigOrWeights() throws IOException {
        Path noConfig = Files.createDirectory(dir.resolve("no-config"));
        weights(1).write(noConfig.resolve("model.safetensors"));
        assertThatThrownBy(() -> CheckpointDir.open(noConfig)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(noConfig.toString()).hasMessageContaining("missing config.json");
        assertThat(CheckpointDir.isCheckpoint(noConfig)).isFalse();

        Path noWeights = Files.createDirectory(dir.resolve("no-weights"));
        Files.writeString(noWeights.resolve("config.json"), "{}");
        assertThatThrownBy(() -> CheckpointDir.open(noWeights)).hasMessageContaining(noWeights.toString())
                .hasMessageContaining("missing model.safetensors");
        assertThat(CheckpointDir.isCheckpoint(noWeights)).isFalse();

        assertThatThrownBy(() -> CheckpointDir.open(dir.resolve("absent"))).hasMessageContaining("no such directory");
    }

    @Test
    void refusesBrokenFilesNamingThem() throws IOException {
        Path target = dir.resolve("broken");
        CheckpointDir.write(target, contents(1));
        Files.writeString(target.resolve("generation_config.json"), "{\"temperature\": ");
        assertThatThrownBy(() -> CheckpointDir.open(target))
                .hasMessageContaining(target.resolve("generation_config.json").toString())
                .hasMessageContaining("not valid JSON");

        CheckpointDir.write(target, contents(1));
        Files.writeString(target.resolve("pathoreason.json"), "{\"stage\":\"sft\",\"created\":\"yesterday\"}");
        assertThatThrownBy(() -> CheckpointDir.open(target)).hasMessageContaining("pathoreason.json")
                .hasMessageContaining("'created'");

        CheckpointDir.write(target, contents(1));
        byte[] w = Files.readAllBytes(target.resolve("model.safetensors"));
        Files.write(target.resolve("model.safetensors"), java.util.Arrays.copyOf(w, w.length - 3));
        assertThatThrownBy(() -> CheckpointDir.open(target)).hasMessageContaining("unreadable weights")
                .hasMessageContaining("model.safetensors").hasMessageContaining("truncated");
    }

    @Test
    void anInterruptedWriteLeavesNoTargetAndNoLeftovers() throws IOException {
        Path parent = Files.createDirectory(dir.resolve("runs"));
        Path target = parent.resolve("step-1");
        // the tokenizer to copy is missing: the writer fails after config and weights are already written
        CheckpointContents failing = contents(1).tokenizerJson(dir.resolve("missing-tokenizer.json"));
        assertThatThrownBy(() -> CheckpointDir.write(target, failing)).isInstanceOf(IOException.class)
                .hasMessageContaining("missing-tokenizer.json");
        assertThat(target).doesNotExist();
        try (Stream<Path> left = Files.list(parent)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aFailedRewriteKeepsTheEarlierCheckpoint() throws IOException {
        Path target = dir.resolve("final");
        CheckpointDir.write(target, contents(5));
        CheckpointContents failing = contents(6).file("extra.bin", dir.resolve("nope.bin"));
        assertThatThrownBy(() -> CheckpointDir.write(target, failing)).isInstanceOf(IOException.class);
        try (CheckpointDir c = CheckpointDir.open(target)) {
            assertThat(c.weights().readFloats("lm_head.weight")).containsExactly(5, 1, 2, 3);
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("final");
        }
        // a successful rewrite replaces it whole
        CheckpointDir.write(target, contents(7));
        try (CheckpointDir c = CheckpointDir.open(target)) {
            assertThat(c.weights().readFloats("lm_head.weight")).containsExactly(7, 1, 2, 3);
        }
    }

    @Test
    void neverTakesATemporaryFolderForACheckpoint() throws IOException {
        // what a crash between "everything written" and "renamed" would leave behind
        Path partial = Files.createDirectory(dir.resolve(".step-3.partial-12345"));
        Files.writeString(partial.resolve("config.json"), "{}");
        weights(1).write(partial.resolve("model.safetensors"));
        assertThat(CheckpointDir.isCheckpoint(partial)).isFalse();
        assertThatThrownBy(() -> CheckpointDir.open(partial)).hasMessageContaining("temporary folder");
    }

    @Test
    void requiresConfigWeightsAndProvenanceToWrite() {
        assertThatThrownBy(() -> CheckpointDir.write(dir.resolve("x"), new CheckpointContents()
                .weights(weights(1)).provenance(provenance()))).hasMessageContaining("config");
        assertThatThrownBy(() -> CheckpointDir.write(dir.resolve("x"), new CheckpointContents()
                .config(config(1)).provenance(provenance()))).hasMessageContaining("weights");
        assertThatThrownBy(() -> CheckpointDir.write(dir.resolve("x"), new CheckpointContents()
                .config(config(1)).weights(weights(1)))).hasMessageContaining("provenance");
        assertThatThrownBy(() -> new CheckpointContents().file("config.json", new byte[0]))
                .hasMessageContaining("config.json");
        assertThatThrownBy(() -> new CheckpointContents().file("../x", new byte[0])).hasMessageContaining("../x");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void provenanceRoundTripsThroughJson() throws IOException {
        Provenance p = Provenance.of("grpo").withParent("ckpt/sft").withSeed(7).withDataFingerprint("d")
                .withMetrics(Map.of("reward", 1.5));
        Provenance back = Provenance.fromJson(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(p.toJson())), "x");
        assertThat(back).isEqualTo(p);
        assertThatThrownBy(() -> Provenance.fromJson(Json.MAPPER.readTree("{\"created\":\"2025-01-01T00:00:00Z\"}"),
                "p.json")).hasMessageContaining("p.json").hasMessageContaining("'stage'");
        assertThatThrownBy(() -> Provenance.fromJson(Json.MAPPER.readTree(
                "{\"stage\":\"sft\",\"created\":\"2025-01-01T00:00:00Z\",\"metrics\":{\"a\":\"x\"}}"), "p.json"))
                .hasMessageContaining("metric 'a'");
        assertThat(List.of(p.metrics().keySet())).isNotEmpty();
    }
}

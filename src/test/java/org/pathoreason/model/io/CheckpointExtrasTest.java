package org.pathoreason.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.util.Json;

class CheckpointExtrasTest {

    @TempDir
    Path tmp;

    private final AtomicInteger fallbacksBuilt = new AtomicInteger();

    private CheckpointExtras extras(Path parent) {
        ObjectNode config = Json.MAPPER.createObjectNode().put("model_type", "qwen2_5_vl").put("hidden_size", 64);
        ObjectNode pre = Json.MAPPER.createObjectNode().put("image_processor_type", "Qwen2VLImageProcessor");
        return new CheckpointExtras(parent, config, "{\"version\":\"1.0\"}",
                () -> {
                    fallbacksBuilt.incrementAndGet();
                    return Json.MAPPER.createObjectNode().put("chat_template", "built-in").put("eos_token", "e");
                },
                () -> {
                    fallbacksBuilt.incrementAndGet();
                    return org.pathoreason.model.GenerationConfig.greedy(5, new java.util.LinkedHashSet<>(java.util.List.of(7L, 5L))).toJson();
                },
                pre);
    }

    private static JsonNode json(Path file) throws IOException {
        return Json.MAPPER.readTree(file.toFile());
    }

    private Path emptyDir(String name) throws IOException {
        return Files.createDirectories(tmp.resolve(name));
    }

    @Test
    void copiesTheParentsTokenizerAndGenerationConfigsByteForByte() throws IOException {
        Path parent = emptyDir("parent");
        // odd formatting on purpose: a copy keeps it, a re-serialisation would not
        String tokConfig = "{ \"chat_template\" :  \"{{ parent }}\", \"extra\": [1,2] }\n";
        String genConfig = "{\"temperature\": 0.7,\n \"top_p\": 0.9}";
        Files.writeString(parent.resolve("tokenizer_config.json"), tokConfig);
        Files.writeString(parent.resolve("generation_config.json"), genConfig);
        Path out = emptyDir("out");

        extras(parent).write(out, Provenance.of("grpo").withSeed(3));

        assertThat(Files.readString(out.resolve("tokenizer_config.json"))).isEqualTo(tokConfig);
        assertThat(Files.readString(out.resolve("generation_config.json"))).isEqualTo(genConfig);
        assertThat(fallbacksBuilt).hasValue(0);
        assertThat(Files.readString(out.resolve("tokenizer.json"))).isEqualTo("{\"version\":\"1.0\"}");
        assertThat(json(out.resolve("preprocessor_config.json")).path("image_processor_type").asText())
                .isEqualTo("Qwen2VLImageProcessor");
        assertThat(Files.readString(out.resolve("config.json")))
                .isEqualTo(Json.PRETTY.writeValueAsString(json(out.resolve("config.json"))) + "\n");
        assertThat(json(out.resolve("config.json")).path("hidden_size").asInt()).isEqualTo(64);
    }

    @Test
    void buildsTheFallbacksWhenTheParentLacksThem() throws IOException {
        Path parent = emptyDir("parent");
        Path out = emptyDir("out");

        extras(parent).write(out, Provenance.of("sft"));

        assertThat(fallbacksBuilt).hasValue(2);
        assertThat(json(out.resolve("tokenizer_config.json")).path("chat_template").asText()).isEqualTo("built-in");
        JsonNode gen = json(out.resolve("generation_config.json"));
        assertThat(gen.path("eos_token_id").toString()).isEqualTo("[7,5]");
        assertThat(gen.path("pad_token_id").asLong()).isEqualTo(5);
        assertThat(gen.path("do_sample").asBoolean(true)).isFalse();
    }

    @Test
    void recordsTheParentAsAbsolutePathAndTheStep() throws IOException {
        Path parent = emptyDir("parent");
        Path out = emptyDir("out");
        Provenance given = Provenance.of("sft").withSeed(11).withDataFingerprint("sha256:d")
                .withMetrics(Map.of("loss", 0.5));

        extras(parent).write(out, given, 40);

        JsonNode prov = json(out.resolve("pathoreason.json"));
        Provenance read = Provenance.fromJson(prov, "pathoreason.json");
        assertThat(read.parentCheckpoint()).isEqualTo(parent.toAbsolutePath().toString());
        assertThat(read.stage()).isEqualTo("sft");
        assertThat(read.seed()).isEqualTo(11L);
        assertThat(read.dataFingerprint()).isEqualTo("sha256:d");
        assertThat(read.metrics()).containsEntry("loss", 0.5);
        assertThat(prov.path("step").asLong()).isEqualTo(40);

        Path without = emptyDir("without-step");
        extras(parent).write(without, given);
        assertThat(json(without.resolve("pathoreason.json")).has("step")).isFalse();
    }

    @Test
    void keepsAConfigTheWeightsWriterAlreadyPutThere() throws IOException {
        Path parent = emptyDir("parent");
        Path out = emptyDir("out");
        Files.writeString(out.resolve("config.json"), "{\"hidden_size\": 128}");

        extras(parent).write(out, Provenance.of("dapo"));

        assertThat(Files.readString(out.resolve("config.json"))).isEqualTo("{\"hidden_size\": 128}");
    }
}

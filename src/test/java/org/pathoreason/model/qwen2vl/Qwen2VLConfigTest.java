package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.model.ModelException;
import org.pathoreason.util.Json;

class Qwen2VLConfigTest {

    private static ObjectNode resource(String name) throws IOException {
        try (InputStream in = Qwen2VLConfigTest.class.getResourceAsStream("/qwen2vl/" + name)) {
            return (ObjectNode) Json.MAPPER.readTree(in);
        }
    }

    @Test
    void readsThePublished3bConfig() throws IOException {
        Qwen2VLConfig c = Qwen2VLConfig.fromJson(resource("qwen2_5_vl_3b_config.json"));
        assertThat(c.vision().depth()).isEqualTo(32);
        assertThat(c.vision().hiddenSize()).isEqualTo(1280);
        assertThat(c.vision().patchValues()).isEqualTo(1176);
        assertThat(c.vision().windowInMergedTokens()).isEqualTo(4);
        assertThat(c.vision().fullAttentionBlocks()).containsExactly(7, 15, 23, 31);
        assertThat(c.vision().inChannels()).isEqualTo(3);
        assertThat(c.text().headDim()).isEqualTo(128);
        assertThat(c.text().numKvHeads()).isEqualTo(2);
        assertThat(c.text().mropeSection()).containsExactly(16, 24, 24);
        assertThat(c.text().tieWordEmbeddings()).isTrue();
        assertThat(c.text().rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.tokens().imageTokenId()).isEqualTo(151655);
        assertThat(c.tokens().eosTokenId()).isEqualTo(151645);
        // Qwen2.5-VL-3B-Instruct is published as 3.75B parameters
        assertThat(c.parameterCount()).isBetween(3_740_000_000L, 3_760_000_000L);
    }

    @Test
    void readsTheNewerTextConfigLayout() throws IOException {
        Qwen2VLConfig c = Qwen2VLConfig.fromJson(resource("qwen2_5_vl_7b_text_config_layout.json"));
        assertThat(c.text().hiddenSize()).isEqualTo(3584);
        assertThat(c.text().numLayers()).isEqualTo(28);
        assertThat(c.text().ropeTheta()).isEqualTo(1e6);
        assertThat(c.text().tieWordEmbeddings()).isFalse();
        assertThat(c.tokens().bosTokenId()).isEqualTo(151643);
        assertThat(c.vision().outHiddenSize()).isEqualTo(3584);
        // Qwen2.5-VL-7B-Instruct: 8.29B parameters
        assertThat(c.parameterCount()).isBetween(8_280_000_000L, 8_300_000_000L);
    }

    @Test
    void writesAConfigThatReadsBackTheSame(@TempDir Path dir) throws IOException {
        Qwen2VLConfig c = Qwen2VLConfig.fromJson(resource("qwen2_5_vl_3b_config.json"));
        c.write(dir.resolve("config.json"));
        assertThat(Qwen2VLConfig.read(dir)).isEqualTo(c);
        JsonNode written = Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        assertThat(written.path("model_type").asText()).isEqualTo("qwen2_5_vl");
        assertThat(written.path("rope_scaling").path("mrope_section").toString()).isEqualTo("[16,24,24]");
        assertThat(written.path("vision_config").path("fullatt_block_indexes").toString()).isEqualTo("[7,15,23,31]");
        Qwen2VLConfig tiny = Qwen2VLConfig.tiny(300, TinyModels.tokenIds());
        tiny.write(dir.resolve("tiny.json"));
        assertThat(Qwen2VLConfig.read(dir.resolve("tiny.json"))).isEqualTo(tiny);
    }

    @Test
    void tinyIsAFewMillionParameters() {
        Qwen2VLConfig tiny = Qwen2VLConfig.tiny(8000, TinyModels.tokenIds());
        assertThat(tiny.parameterCount()).isBetween(1_000_000L, 10_000_000L);
        assertThat(tiny.text().mropeSection().stream().mapToInt(Integer::intValue).sum() * 2)
                .isEqualTo(tiny.text().headDim());
        assertThat(tiny.withVocabSize(500).text().vocabSize()).isEqualTo(500);
    }

    @Test
    void badConfigsAreClearErrors() throws IOException {
        ObjectNode c = resource("qwen2_5_vl_3b_config.json");
        c.put("model_type", "llama");
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(c)).isInstanceOf(ModelException.class)
                .hasMessageContaining("unknown model_type 'llama'");
        ObjectNode noVision = resource("qwen2_5_vl_3b_config.json");
        noVision.remove("vision_config");
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(noVision)).hasMessageContaining("vision_config");
        ObjectNode badSection = resource("qwen2_5_vl_3b_config.json");
        ((ObjectNode) badSection.get("rope_scaling")).putArray("mrope_section").add(16).add(24).add(16);
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(badSection)).hasMessageContaining("must sum to head_dim/2 = 64");
        ObjectNode noLayers = resource("qwen2_5_vl_3b_config.json");
        noLayers.remove("num_hidden_layers");
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(noLayers)).hasMessageContaining("missing 'num_hidden_layers'");
        ObjectNode textHeads = resource("qwen2_5_vl_3b_config.json");
        textHeads.put("num_attention_heads", "sixteen");
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(textHeads))
                .hasMessageContaining("'num_attention_heads' must be an integer");
        ObjectNode yarn = resource("qwen2_5_vl_3b_config.json");
        ((ObjectNode) yarn.get("rope_scaling")).put("type", "yarn");
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(yarn)).hasMessageContaining("rope type 'yarn'");
    }

    /** Found by fuzzing-style probing: int products and sums that overflow must be refused, not wrap around. */
    @Test
    void sizesThatOverflowAnIntAreRefused() throws IOException {
        ObjectNode patch = resource("qwen2_5_vl_3b_config.json");
        ((ObjectNode) patch.get("vision_config")).put("patch_size", 65536).put("spatial_merge_size", 65536);
        // 65536 x 65536 wrapped to 0: window_size % 0 threw ArithmeticException
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(patch)).isInstanceOf(ModelException.class)
                .hasMessageContaining("patch_size x spatial_merge_size = 4294967296");
        ObjectNode mrope = resource("qwen2_5_vl_3b_config.json");
        // sums to 128 = head_dim in int arithmetic (2 x 2147483647 wraps to -2), so it used to be accepted
        ((ObjectNode) mrope.get("rope_scaling")).putArray("mrope_section").add(Integer.MAX_VALUE).add(Integer.MAX_VALUE)
                .add(66);
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(mrope)).isInstanceOf(ModelException.class)
                .hasMessageContaining("must sum to head_dim/2 = 64");
        ObjectNode negative = resource("qwen2_5_vl_3b_config.json");
        ((ObjectNode) negative.get("rope_scaling")).putArray("mrope_section").add(-16).add(40).add(40);
        assertThatThrownBy(() -> Qwen2VLConfig.fromJson(negative)).isInstanceOf(ModelException.class)
                .hasMessageContaining("must not be negative");
    }
}

package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.HalfFloats;
import org.pathoreason.model.io.SafetensorsReader;

class RandomWeightsTest {

    @Test
    void streamedWeightsAreTheRandomModelsByteForByte(@TempDir Path tmp) throws Exception {
        Qwen2VLConfig config = TinyModels.config(false);
        RandomWeights.writer(config, 42, DType.F32).write(tmp.resolve("streamed.safetensors"));
        RandomWeights.writer(config, 42, DType.BF16).write(tmp.resolve("bf16.safetensors"));
        Engines.start();
        try (NDManager root = Engines.newManager(); Qwen2VLModel model = Qwen2VLModel.random(config, 42, root)) {
            model.weights().metadata(java.util.Map.of("format", "pt")).write(tmp.resolve("model.safetensors"));
        }
        assertThat(Files.readAllBytes(tmp.resolve("streamed.safetensors")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("model.safetensors")));
        try (SafetensorsReader f32 = SafetensorsReader.open(tmp.resolve("streamed.safetensors"));
             SafetensorsReader bf16 = SafetensorsReader.open(tmp.resolve("bf16.safetensors"))) {
            for (String name : f32.names()) {
                float[] wide = f32.readFloats(name);
                float[] narrow = bf16.readFloats(name);
                assertThat(bf16.info(name).dtype()).isEqualTo(DType.BF16);
                for (int i = 0; i < wide.length; i++) {
                    assertThat(narrow[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(wide[i])));
                }
            }
        }
    }

    @Test
    void presetsHaveThePublishedSizes() {
        // Qwen2.5-VL-3B-Instruct: 3.75 B parameters (tied embeddings); -7B-Instruct: 8.29 B
        Qwen2VLConfig three = Qwen2VLConfig.Preset.QWEN2_5_VL_3B.config(Qwen2VLConfig.PUBLISHED_TOKENS);
        Qwen2VLConfig seven = Qwen2VLConfig.Preset.QWEN2_5_VL_7B.config(Qwen2VLConfig.PUBLISHED_TOKENS);
        assertThat(three.parameterCount()).isBetween(3_740_000_000L, 3_760_000_000L);
        assertThat(seven.parameterCount()).isBetween(8_280_000_000L, 8_300_000_000L);
        assertThat(seven.text().headDim()).isEqualTo(128);
        assertThat(Qwen2VLConfig.fromJson(seven.toJson())).isEqualTo(seven);
        assertThat(Qwen2VLConfig.Preset.byId("qwen2.5-vl-3b")).isEqualTo(Qwen2VLConfig.Preset.QWEN2_5_VL_3B);
    }
}

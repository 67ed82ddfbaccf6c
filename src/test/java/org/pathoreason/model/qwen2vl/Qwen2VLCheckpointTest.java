package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.SafetensorsWriter;
import org.pathoreason.util.Json;

class Qwen2VLCheckpointTest {

    static NDManager root;
    static Qwen2VLModel model;
    static ModelInput input;

    @BeforeAll
    static void setUp() {
        root = Engines.newManager();
        model = Qwen2VLModel.random(TinyModels.config(false), 11, root);
        int[] g = {1, 4, 8};
        input = new ModelInput(new long[][] {TinyModels.prompt(g, new long[] {1, 2}, new long[] {3})}, null,
                TinyModels.patches(g, 9), List.of(g));
    }

    @AfterAll
    static void tearDown() {
        model.close();
        root.close();
    }

    private static float[] logits(Qwen2VLModel m) {
        try (NDManager step = root.newSubManager()) {
            return m.logits(input, step).toFloatArray();
        }
    }

    /** Writes the model's tensors under other names / types, with config.json. */
    private static void writeCustom(Path dir, Map<String, String> rename, String drop, String reshape, String asLong,
                                    DType floatType, long shardBytes) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter();
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            String name = e.getKey();
            if (name.equals(drop)) {
                continue;
            }
            String stored = rename.getOrDefault(name, name);
            for (Map.Entry<String, String> r : rename.entrySet()) {
                if (r.getKey().endsWith(".") && name.startsWith(r.getKey())) {
                    stored = r.getValue() + name.substring(r.getKey().length());
                }
            }
            NDArray a = e.getValue();
            if (name.equals(reshape)) {
                w.put(stored, DType.F32, new long[] {a.size()}, a.toFloatArray());
            } else if (name.equals(asLong)) {
                w.put(stored, a.getShape().getShape(), new long[(int) a.size()]);
            } else {
                w.put(stored, floatType, a);
            }
        }
        w.writeSharded(dir, shardBytes);
        model.config().write(dir.resolve("config.json"));
    }

    @Test
    void saveThenLoadGivesIdenticalLogits(@TempDir Path dir) {
        model.save(dir);
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("model.safetensors")).exists();
        try (Qwen2VLModel loaded = Qwen2VLModel.load(dir, root)) {
            assertThat(loaded.config()).isEqualTo(model.config());
            assertThat(logits(loaded)).containsExactly(logits(model));
        }
    }

    @Test
    void newerLayoutAndShardsLoadToTheSameModel(@TempDir Path dir) throws IOException {
        writeCustom(dir, Map.of("model.", "model.language_model.", "visual.", "model.visual."), null, null, null,
                DType.F32, 400_000);
        assertThat(dir.resolve("model.safetensors.index.json")).exists();
        try (Qwen2VLModel loaded = Qwen2VLModel.load(dir, root)) {
            assertThat(loaded.parameters().keySet()).containsExactlyElementsOf(model.parameters().keySet());
            assertThat(logits(loaded)).containsExactly(logits(model));
        }
    }

    @Test
    void bf16WeightsAreWidenedToFloat32(@TempDir Path dir) throws IOException {
        writeCustom(dir, Map.of(), null, null, null, DType.BF16, Long.MAX_VALUE);
        try (Qwen2VLModel loaded = Qwen2VLModel.load(dir, root)) {
            NDArray w = loaded.parameters().get("model.layers.0.mlp.up_proj.weight");
            assertThat(w.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
            float[] original = model.parameters().get("model.layers.0.mlp.up_proj.weight").toFloatArray();
            float[] widened = w.toFloatArray();
            for (int i = 0; i < original.length; i++) {
                // bf16 keeps 8 significant bits: relative error at most 2^-8
                assertThat(Math.abs(widened[i] - original[i])).isLessThanOrEqualTo(Math.abs(original[i]) / 256f);
                assertThat(Float.floatToRawIntBits(widened[i]) & 0xFFFF).isZero();
            }
        }
    }

    @Test
    void missingTensorIsNamed(@TempDir Path dir) throws IOException {
        writeCustom(dir, Map.of(), "visual.blocks.2.attn.proj.bias", null, null, DType.F32, Long.MAX_VALUE);
        assertThatThrownBy(() -> Qwen2VLModel.load(dir, root)).isInstanceOf(ModelException.class)
                .hasMessageContaining("missing tensor 'visual.blocks.2.attn.proj.bias'");
    }

    @Test
    void missingUntiedLmHeadIsNamed(@TempDir Path dir) throws IOException {
        writeCustom(dir, Map.of(), "lm_head.weight", null, null, DType.F32, Long.MAX_VALUE);
        assertThatThrownBy(() -> Qwen2VLModel.load(dir, root)).isInstanceOf(ModelException.class)
                .hasMessageContaining("missing tensor 'lm_head.weight'");
    }

    @Test
    void wrongShapeIsNamedWithBothShapes(@TempDir Path dir) throws IOException {
        writeCustom(dir, Map.of(), null, "model.layers.1.self_attn.k_proj.weight", null, DType.F32, Long.MAX_VALUE);
        assertThatThrownBy(() -> Qwen2VLModel.load(dir, root)).isInstanceOf(ModelException.class)
                .hasMessageContaining("tensor 'model.layers.1.self_attn.k_proj.weight' has shape (8192)")
                .hasMessageContaining("expected (64, 128)");
    }

    @Test
    void wrongDtypeIsNamed(@TempDir Path dir) throws IOException {
        writeCustom(dir, Map.of(), null, null, "model.norm.weight", DType.F32, Long.MAX_VALUE);
        assertThatThrownBy(() -> Qwen2VLModel.load(dir, root)).isInstanceOf(ModelException.class)
                .hasMessageContaining("tensor 'model.norm.weight' has dtype I64");
    }

    @Test
    void unknownModelTypeIsRefused(@TempDir Path dir) throws IOException {
        model.save(dir);
        ObjectNode cfg = (ObjectNode) Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        cfg.put("model_type", "llava");
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        assertThatThrownBy(() -> Qwen2VLModel.load(dir, root)).isInstanceOf(ModelException.class)
                .hasMessageContaining("config.json").hasMessageContaining("unknown model_type 'llava'");
        cfg.put("model_type", "qwen2_vl");
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        assertThatThrownBy(() -> Qwen2VLModel.load(dir, root)).isInstanceOf(ModelException.class)
                .hasMessageContaining("'qwen2_vl' (Qwen2-VL) is not supported");
    }

    @Test
    void missingWeightsFileIsClear(@TempDir Path dir) {
        model.config().write(dir.resolve("config.json"));
        assertThatThrownBy(() -> Qwen2VLModel.load(dir, root)).isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.toString());
    }
}

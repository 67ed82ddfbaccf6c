package org.pathoreason.model.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.util.Json;

/** Reading PEFT adapters: what is refused (naming file and field), scaling, and merging through the bundle. */
class LoraAdapterTest {

    static final Path PEFT = Path.of("src/test/resources/lora/adapter");
    static final Path BASE = Path.of("src/test/resources/parity/model");

    @TempDir
    static Path root;

    static TinyEvalFixture tiny;

    @BeforeAll
    static void setUp() throws Exception {
        Engines.start();
        tiny = TinyEvalFixture.create(root.resolve("tiny"));
    }

    /** A copy of PEFT's adapter with {@code adapter_config.json} edited. */
    private static Path edited(Path dir, String field, Object value) throws Exception {
        Files.createDirectories(dir);
        Files.copy(PEFT.resolve(LoraAdapter.WEIGHTS_FILE), dir.resolve(LoraAdapter.WEIGHTS_FILE));
        ObjectNode config = (ObjectNode) Json.MAPPER.readTree(PEFT.resolve(LoraAdapter.CONFIG_FILE).toFile());
        config.set(field, Json.MAPPER.valueToTree(value));
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), Json.MAPPER.writeValueAsString(config));
        return dir;
    }

    @Test
    void unsupportedPeftTypeIsRefusedNamingTheField(@TempDir Path tmp) throws Exception {
        Path dir = edited(tmp.resolve("a"), "peft_type", "PREFIX_TUNING");
        assertThatThrownBy(() -> LoraAdapter.read(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve(LoraAdapter.CONFIG_FILE).toString())
                .hasMessageContaining("'peft_type'").hasMessageContaining("PREFIX_TUNING");
    }

    @Test
    void trainedBiasesAndDoraAreRefused(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> LoraAdapter.read(edited(tmp.resolve("b"), "bias", "all")))
                .hasMessageContaining("'bias'").hasMessageContaining("none");
        assertThatThrownBy(() -> LoraAdapter.read(edited(tmp.resolve("d"), "use_dora", true)))
                .hasMessageContaining("'use_dora'");
        assertThatThrownBy(() -> LoraAdapter.read(edited(tmp.resolve("m"), "modules_to_save", List.of("lm_head"))))
                .hasMessageContaining("'modules_to_save'");
    }

    @Test
    void aModuleThatTargetModulesDoesNotNameIsRefused(@TempDir Path tmp) throws Exception {
        Path dir = edited(tmp.resolve("t"), "target_modules", List.of("q_proj", "v_proj"));
        assertThatThrownBy(() -> LoraAdapter.read(dir)).isInstanceOf(ModelException.class)
                .hasMessageContaining(LoraAdapter.WEIGHTS_FILE).hasMessageContaining("'target_modules'")
                .hasMessageContaining("down_proj");
    }

    @Test
    void aRankThatDiffersFromTheConfigIsRefused(@TempDir Path tmp) throws Exception {
        Path dir = edited(tmp.resolve("r"), "r", 8);
        assertThatThrownBy(() -> LoraAdapter.read(dir)).hasMessageContaining("rank 8").hasMessageContaining("'r'");
    }

    @Test
    void missingFilesAreNamed(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> LoraAdapter.read(tmp.resolve("empty"))).hasMessageContaining("adapter_config.json");
        assertThatThrownBy(() -> LoraAdapter.read(tmp.resolve("absent"))).hasMessageContaining("does not exist");
    }

    @Test
    void anAdapterForAnotherModelSizeIsRefusedNamingModuleAndShapes(@TempDir Path tmp) {
        LoraAdapter peft = LoraAdapter.read(PEFT);
        // the parity model's adapter (width 64) on the tiny eval model (width 128)
        assertThatThrownBy(() -> LoraMerge.merge(tiny.checkpoint, peft, tmp.resolve("out"), null))
                .isInstanceOf(ModelException.class).hasMessageContaining(LoraAdapter.WEIGHTS_FILE)
                .hasMessageContaining("shape").hasMessageContaining("another model");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void aModuleTheBaseLacksIsRefused(@TempDir Path tmp) {
        LoraAdapter peft = LoraAdapter.read(PEFT);
        Map<String, LoraAdapter.Module> modules = new TreeMap<>(peft.modules());
        LoraAdapter.Module m = modules.get("model.layers.1.mlp.up_proj.weight");
        modules.put("model.layers.7.mlp.up_proj.weight", new LoraAdapter.Module("model.layers.7.mlp.up_proj",
                "model.layers.7.mlp.up_proj.weight", m.rank(), m.in(), m.out(), m.a(), m.b(), m.dtype()));
        LoraAdapter extra = LoraAdapter.of(peft.config(), ModuleLayout.NESTED, modules);
        assertThatThrownBy(() -> LoraMerge.merge(BASE, extra, tmp.resolve("out"), null))
                .hasMessageContaining("module 'model.layers.7.mlp.up_proj' is not a layer of the base");
    }

    @Test
    void rsLoraScalesByAlphaOverSquareRootOfRank() {
        LoraConfig plain = LoraConfig.of(4, 8, 0, LoraConfig.LANGUAGE_LINEAR);
        LoraConfig rs = new LoraConfig(4, 8, 0, LoraConfig.LANGUAGE_LINEAR, null, true, Map.of(),
                Map.of("o_proj", 16.0), null, null);
        assertThat(plain.scaling("model.layers.0.self_attn.q_proj")).isEqualTo(2.0);
        assertThat(rs.scaling("model.layers.0.self_attn.q_proj")).isEqualTo(4.0);
        assertThat(rs.scaling("model.layers.0.self_attn.o_proj")).isEqualTo(8.0);
        LoraAdapter peft = LoraAdapter.read(PEFT);
        float[] two = peft.delta("model.layers.0.self_attn.q_proj.weight");
        float[] four = peft.withConfig(rs).delta("model.layers.0.self_attn.q_proj.weight");
        for (int i = 0; i < two.length; i++) {
            assertThat(four[i]).isEqualTo(2 * two[i]);
        }
        assertThat(LoraConfig.fromJson(rs.toJson(), Path.of("x.json"))).isEqualTo(rs);
    }

    @Test
    void theBundleOpensTheBaseWithTheAdapterMergedIn() throws Exception {
        LoraAdapter adapter = LoraFixtures.random(tiny.checkpoint, LoraConfig.of(2, 4, 0, LoraConfig.LANGUAGE_LINEAR),
                0.2, 11);
        Path dir = root.resolve("tiny-adapter");
        adapter.write(dir);
        LoraAdapter read = LoraAdapter.read(dir);
        assertThat(read.parameters()).hasSize(14);
        try (CheckpointBundle base = CheckpointBundle.open(tiny.checkpoint);
             CheckpointBundle merged = CheckpointBundle.open(tiny.checkpoint, CheckpointBundle.Options.adapter(read));
             SafetensorsReader weights = SafetensorsReader.open(tiny.checkpoint)) {
            assertThat(merged.adapter()).containsSame(read);
            assertThat(merged.name()).isEqualTo(base.name() + "+adapter:" + dir.toAbsolutePath().normalize());
            for (Map.Entry<String, NDArray> e : merged.model().parameters().entrySet()) {
                float[] got = e.getValue().toFloatArray();
                float[] stored = weights.readFloats(e.getKey());
                if (read.parameters().contains(e.getKey())) {
                    assertThat(got).as(e.getKey()).isEqualTo(read.merged(e.getKey(), stored));
                    assertThat(got).as(e.getKey()).isNotEqualTo(stored);
                } else {
                    assertThat(got).as(e.getKey()).isEqualTo(stored);
                }
            }
        }
    }
}

package org.pathoreason.model.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.model.qwen2vl.Qwen2VLParameters;
import org.pathoreason.util.Json;

/**
 * PathoReason's LoRA against PEFT on the committed fixture of {@code tools/make_lora_fixture.py}: an adapter that
 * PEFT saved for the parity fixture's tiny Qwen2.5-VL (r=4, alpha=8, the seven projection names, which also match
 * the vision blocks' MLP), the PEFT model's logits on the parity inputs, and the tensors of
 * {@code merge_and_unload()}. Versions are in {@code versions.json} and the reference file's metadata.
 *
 * <p>Tolerances: merged weights within {@value #MERGED} of the largest |weight| of each tensor (float32 both sides;
 * PyTorch's product may sum the rank in another order); logits within {@value #LOGITS} of the largest |logit|.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoraParityTest {

    static final Path BASE = Path.of("src/test/resources/parity/model");
    static final Path INPUTS = Path.of("src/test/resources/parity/inputs.safetensors");
    static final Path FIXTURE = Path.of("src/test/resources/lora");
    static final double MERGED = 1e-6;
    static final double LOGITS = 1e-5;

    NDManager root;
    SafetensorsReader reference;
    SafetensorsReader inputs;
    LoraAdapter adapter;
    String versions;

    @BeforeAll
    void open() throws Exception {
        root = Engines.newManager();
        reference = SafetensorsReader.open(FIXTURE.resolve("reference.safetensors"));
        inputs = SafetensorsReader.open(INPUTS);
        adapter = LoraAdapter.read(FIXTURE.resolve("adapter"));
        JsonNode v = Json.MAPPER.readTree(FIXTURE.resolve("versions.json").toFile());
        versions = "peft " + v.path("peft").asText() + ", transformers " + v.path("transformers").asText()
                + ", torch " + v.path("torch").asText();
    }

    @AfterAll
    void close() {
        reference.close();
        inputs.close();
        root.close();
    }

    @Test
    void fixtureRecordsTheReferenceVersions() throws Exception {
        JsonNode v = Json.MAPPER.readTree(FIXTURE.resolve("versions.json").toFile());
        for (String library : List.of("peft", "transformers", "torch", "safetensors")) {
            assertThat(v.path(library).asText()).as(library).isNotBlank();
            assertThat(reference.metadata()).containsEntry(library, v.path(library).asText());
        }
    }

    @Test
    void readsPeftsAdapter() {
        LoraConfig c = adapter.config();
        assertThat(c.r()).isEqualTo(4);
        assertThat(c.alpha()).isEqualTo(8.0);
        assertThat(c.dropout()).isEqualTo(0.05);
        assertThat(c.scaling("model.language_model.layers.0.self_attn.q_proj")).isEqualTo(2.0);
        assertThat(adapter.layout()).isEqualTo(ModuleLayout.NESTED);
        // 2 decoder layers x 7 projections, and the 4 vision blocks' gate/up/down (PEFT matches those names there too)
        assertThat(adapter.parameters()).hasSize(26)
                .contains("model.layers.1.mlp.down_proj.weight", "visual.blocks.3.mlp.gate_proj.weight");
    }

    @Test
    void mergedCheckpointEqualsPeftMergeAndUnload(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("merged");
        int changed = LoraMerge.merge(BASE, adapter, out, null);
        assertThat(changed).isEqualTo(26);
        List<String> merged = new ArrayList<>();
        for (String name : reference.names()) {
            if (name.startsWith("merged.")) {
                merged.add(name);
            }
        }
        assertThat(merged).hasSize(26);
        try (CheckpointDir dir = CheckpointDir.open(out); SafetensorsReader base = SafetensorsReader.open(BASE)) {
            SafetensorsReader got = dir.weights();
            assertThat(got.names()).isEqualTo(base.names());
            Set<String> adapted = adapter.parameters();
            for (String name : merged) {
                String stored = storedName(got, Qwen2VLParameters.canonicalName(name.substring("merged.".length())));
                assertRelative("merged " + name, got.readFloats(stored), reference.readFloats(name), MERGED);
                assertThat(got.readFloats(stored)).as(name + " changed").isNotEqualTo(base.readFloats(stored));
            }
            for (String name : base.names()) {
                if (!adapted.contains(Qwen2VLParameters.canonicalName(name))) {
                    assertThat(got.readBytes(name)).as(name + " copied as it is").isEqualTo(base.readBytes(name));
                }
            }
            assertThat(dir.provenance()).hasValueSatisfying(p -> {
                assertThat(p.stage()).isEqualTo(LoraMerge.STAGE);
                assertThat(p.parentCheckpoint()).isEqualTo(BASE.toAbsolutePath().normalize().toString());
            });
            JsonNode record = Json.MAPPER.readTree(out.resolve(LoraMerge.ADAPTER_RECORD).toFile());
            assertThat(record.path("adapter").asText()).endsWith("adapter");
            assertThat(record.path("adapter_model_sha256").asText()).hasSize(64);
        }
    }

    @Test
    void mergedInBf16IsTheF32MergeRounded(@TempDir Path tmp) throws Exception {
        Path f32 = tmp.resolve("f32");
        Path bf16 = tmp.resolve("bf16");
        LoraMerge.merge(BASE, adapter, f32, null);
        LoraMerge.merge(BASE, adapter, bf16, org.pathoreason.model.io.DType.BF16);
        try (SafetensorsReader a = SafetensorsReader.open(f32); SafetensorsReader b = SafetensorsReader.open(bf16)) {
            for (String name : a.names()) {
                assertThat(b.info(name).dtype()).isEqualTo(org.pathoreason.model.io.DType.BF16);
                float[] wide = a.readFloats(name);
                float[] narrow = b.readFloats(name);
                for (int i = 0; i < wide.length; i++) {
                    float rounded = org.pathoreason.model.io.HalfFloats.bf16ToFloat(
                            org.pathoreason.model.io.HalfFloats.floatToBf16(wide[i]));
                    assertThat(narrow[i]).as(name).isEqualTo(rounded);
                }
            }
        }
        assertThat(Json.MAPPER.readTree(bf16.resolve("config.json").toFile()).path("dtype").asText())
                .isEqualTo("bfloat16");
    }

    @Test
    void logitsWithTheAdapterMatchPeft() {
        try (Qwen2VLModel model = Qwen2VLModel.load(BASE, root)) {
            adapter.mergeInto(model, BASE);
            long[][] text = rows(inputs, "text.input_ids");
            assertRelative("text-only logits against " + versions,
                    logits(model, new ModelInput(text, ones(text), new float[0], List.of())),
                    reference.readFloats("text.logits"), LOGITS);
            long[][] image = rows(inputs, "image.input_ids");
            long[] g = inputs.readLongs("image_grid_thw");
            List<int[]> grid = List.of(new int[] {(int) g[0], (int) g[1], (int) g[2]});
            int width = (int) inputs.info("pixel_values").shape()[1];
            float[] pixels = Arrays.copyOf(inputs.readFloats("pixel_values"), (int) (g[0] * g[1] * g[2]) * width);
            assertRelative("one-image logits against " + versions,
                    logits(model, new ModelInput(image, ones(image), pixels, grid)),
                    reference.readFloats("image.logits"), LOGITS);
        }
    }

    @Test
    void logitsOfTheBaseDoNotMatchPeft() {
        // the adapter moves the logits far beyond the tolerance, so the test above checks the adapter
        try (Qwen2VLModel model = Qwen2VLModel.load(BASE, root)) {
            long[][] text = rows(inputs, "text.input_ids");
            float[] got = logits(model, new ModelInput(text, ones(text), new float[0], List.of()));
            float[] want = reference.readFloats("text.logits");
            double worst = 0;
            double largest = 0;
            for (int i = 0; i < want.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want[i]));
                largest = Math.max(largest, Math.abs(want[i]));
            }
            assertThat(worst / largest).isGreaterThan(1000 * LOGITS);
        }
    }

    @Test
    void writtenAdapterRoundTripsByteForByteInBothLayouts() throws Exception {
        // written under target/ so that tools/make_lora_fixture.py --check-written can load them into PEFT
        Path dir = Path.of("target/lora-written");
        for (ModuleLayout layout : ModuleLayout.values()) {
            Path first = dir.resolve(layout.name().toLowerCase()).resolve("first");
            Path second = dir.resolve(layout.name().toLowerCase()).resolve("second");
            adapter.withLayout(layout).write(first);
            LoraAdapter back = LoraAdapter.read(first);
            assertThat(back.layout()).isEqualTo(layout);
            assertThat(back.config()).isEqualTo(adapter.config());
            assertThat(back.parameters()).isEqualTo(adapter.parameters());
            for (String p : adapter.parameters()) {
                assertThat(back.modules().get(p).a()).isEqualTo(adapter.modules().get(p).a());
                assertThat(back.modules().get(p).b()).isEqualTo(adapter.modules().get(p).b());
            }
            back.write(second);
            for (String file : List.of(LoraAdapter.CONFIG_FILE, LoraAdapter.WEIGHTS_FILE)) {
                assertThat(Files.readAllBytes(second.resolve(file))).as(layout + " " + file)
                        .isEqualTo(Files.readAllBytes(first.resolve(file)));
            }
        }
        // the nested layout is PEFT's own on transformers 5: the same tensor names, the same values
        try (SafetensorsReader peft = SafetensorsReader.open(FIXTURE.resolve("adapter/adapter_model.safetensors"));
             SafetensorsReader ours = SafetensorsReader.open(dir.resolve("nested/first/adapter_model.safetensors"))) {
            assertThat(ours.names()).isEqualTo(peft.names());
            for (String name : peft.names()) {
                assertThat(ours.readBytes(name)).as(name).isEqualTo(peft.readBytes(name));
            }
        }
        try (SafetensorsReader classic = SafetensorsReader.open(
                dir.resolve("classic/first/adapter_model.safetensors"))) {
            assertThat(classic.names()).contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                    "base_model.model.visual.blocks.0.mlp.up_proj.lora_B.weight");
        }
    }

    @Test
    void anAdapterTrainedHereIsWrittenForPeft() throws Exception {
        // a few real LoRA updates on the parity base (text input, next-token loss), then the adapter and our logits
        // go under target/ so that tools/make_lora_fixture.py --check-trained can compare PEFT's on the same files
        Path dir = Path.of("target/lora-trained");
        long[][] text = rows(inputs, "text.input_ids");
        ModelInput input = new ModelInput(text, ones(text), new float[0], List.of());
        try (Qwen2VLModel model = Qwen2VLModel.load(BASE, root)) {
            LoraTraining lora = LoraTraining.attach(model, LoraConfig.forTraining(4, 8, 0.05,
                    LoraConfig.LANGUAGE_LINEAR, false, false).withBaseModel(BASE.toString()), 9);
            try (org.pathoreason.train.ParameterUpdater updater = new org.pathoreason.train.ParameterUpdater(
                    lora.parameters(), org.pathoreason.train.AdamW.Settings.defaults(), step -> 5e-2, 1.0)) {
                for (int i = 0; i < 3; i++) {
                    try (NDManager step = root.newSubManager();
                         ai.djl.training.GradientCollector gc = org.pathoreason.engine.GradientRecording.open()) {
                        gc.backward(model.tokenLogProbs(input, 1, step).mean().neg());
                    }
                    updater.step();
                }
            }
            float[] ours = logits(model, input);
            LoraAdapter written = lora.adapter();
            written.write(dir.resolve("adapter"));
            long[] shape = reference.info("text.logits").shape();
            new org.pathoreason.model.io.SafetensorsWriter().put("text.logits", org.pathoreason.model.io.DType.F32,
                    shape, ours).write(dir.resolve("logits.safetensors"));
            // what PEFT would compute from these files, as PathoReason merges them, is our forward
            LoraAdapter back = LoraAdapter.read(dir.resolve("adapter"));
            assertThat(back.modules()).hasSize(7 * 2);
            try (Qwen2VLModel base = Qwen2VLModel.load(BASE, root)) {
                back.mergeInto(base, BASE);
                assertRelative("trained adapter merged vs adapted forward", logits(base, input), ours, LOGITS);
            }
            assertThat(back.config().targetRegex()).isNotNull();
        }
    }

    private float[] logits(Qwen2VLModel model, ModelInput input) {
        try (NDManager step = root.newSubManager()) {
            return model.logits(input, step).toFloatArray();
        }
    }

    private static String storedName(SafetensorsReader reader, String canonical) {
        for (String name : reader.names()) {
            if (Qwen2VLParameters.canonicalName(name).equals(canonical)) {
                return name;
            }
        }
        throw new AssertionError("no tensor for " + canonical);
    }

    private static void assertRelative(String what, float[] got, float[] expected, double tolerance) {
        assertThat(got).as(what).hasSameSizeAs(expected);
        double worst = 0;
        double largest = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
            largest = Math.max(largest, Math.abs(expected[i]));
        }
        System.out.printf("%s: max |diff| %.3e, relative %.3e%n", what, worst, worst / largest);
        assertThat(worst / largest).as("%s: largest |difference| %s / largest |reference| %s", what, worst, largest)
                .isLessThan(tolerance);
    }

    private static long[][] rows(SafetensorsReader reader, String name) {
        long[] shape = reader.info(name).shape();
        int b = (int) shape[0];
        int t = (int) shape[1];
        long[] flat = reader.readLongs(name);
        long[][] out = new long[b][t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * t, out[i], 0, t);
        }
        return out;
    }

    private static int[][] ones(long[][] ids) {
        int[][] out = new int[ids.length][ids[0].length];
        for (int[] row : out) {
            Arrays.fill(row, 1);
        }
        return out;
    }
}

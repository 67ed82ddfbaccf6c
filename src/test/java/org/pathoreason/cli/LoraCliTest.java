package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.lora.LoraAdapter;
import org.pathoreason.model.lora.LoraConfig;
import org.pathoreason.model.lora.LoraFixtures;
import org.pathoreason.util.Json;
import org.pathoreason.util.TestResources;

/** {@code model merge-lora} and {@code --adapter} on eval and generate, on the tiny eval checkpoint. */
class LoraCliTest {

    @TempDir
    static Path root;

    static TinyEvalFixture fixture;
    static Path adapter;

    @BeforeAll
    static void setUp() throws Exception {
        Engines.start();
        fixture = TinyEvalFixture.create(root.resolve("tiny"));
        adapter = root.resolve("adapter");
        LoraFixtures.random(fixture.checkpoint, LoraConfig.of(4, 8, 0.05, LoraConfig.LANGUAGE_LINEAR), 0.2, 5)
                .write(adapter);
    }

    @Test
    void mergedCheckpointGivesTheLogitsOfTheBaseWithTheAdapter() throws Exception {
        Path merged = root.resolve("merged");
        EvalCommandTest.Run run = EvalCommandTest.run(new ModelCommand(), "merge-lora", "--model",
                fixture.checkpoint.toString(), "--adapter", adapter.toString(), "--out", merged.toString(),
                "--dtype", "f32");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("14 weights changed").contains("alpha/r");
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "preprocessor_config.json", "pathoreason.json", "merged_adapter.json")) {
            assertThat(merged.resolve(f)).exists();
        }
        ModelInput input = ModelInput.padded(List.of(new long[] {5, 17, 42, 99, 3, 64, 120, 7}), 0, true,
                new float[0], List.of());
        try (CheckpointBundle base = CheckpointBundle.open(fixture.checkpoint);
             CheckpointBundle withAdapter = CheckpointBundle.open(fixture.checkpoint,
                     CheckpointBundle.Options.adapter(LoraAdapter.read(adapter)));
             CheckpointBundle fromFolder = CheckpointBundle.open(merged);
             NDManager step = Engines.newManager()) {
            float[] a = withAdapter.model().logits(input, step).toFloatArray();
            float[] b = fromFolder.model().logits(input, step).toFloatArray();
            float[] c = base.model().logits(input, step).toFloatArray();
            assertThat(b).isEqualTo(a);
            assertThat(c).isNotEqualTo(a);
        }
        Path bf16 = root.resolve("merged-bf16");
        assertThat(EvalCommandTest.run(new ModelCommand(), "merge-lora", "--model", fixture.checkpoint.toString(),
                "--adapter", adapter.toString(), "--out", bf16.toString(), "--dtype", "bf16").code()).isZero();
        try (SafetensorsReader r = SafetensorsReader.open(bf16)) {
            assertThat(r.info("model.layers.0.self_attn.q_proj.weight").dtype()).isEqualTo(DType.BF16);
        }
    }

    @Test
    void evalAndGenerateTakeAnAdapter() throws Exception {
        Path out = root.resolve("eval-adapter");
        EvalCommandTest.Run eval = EvalCommandTest.run(new EvalCommand(), "--model", fixture.checkpoint.toString(),
                "--adapter", adapter.toString(), "--data", fixture.data.toString(), "--limit", "2",
                "--max-new-tokens", "4", "--out", out.toString(), "--no-progress");
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode info = Json.MAPPER.readTree(out.resolve("eval.json").toFile());
        assertThat(info.toString()).contains("+adapter:" + adapter.toAbsolutePath().normalize());
        assertThat(EvalCommand.defaultOut(Path.of("/runs/sft/final"), Path.of("lora/a1"), Path.of("data/test.jsonl")))
                .isEqualTo(Path.of("eval", "sft-final+a1-test.jsonl"));

        EvalCommandTest.Run gen = EvalCommandTest.run(new GenerateCommand(), "--model", fixture.checkpoint.toString(),
                "--adapter", adapter.toString(), "--image", TestResources.fixture("tiles/crc-adi-224.tif").toString(),
                "--question", "What tissue is this?", "--max-new-tokens", "3", "--no-stream");
        assertThat(gen.code()).as(gen.err()).isZero();
        assertThat(gen.out()).contains("answer:");
    }

    @Test
    void trainSftWithLoraWritesAnAdapterThatEvalServeAndMergeTake() throws Exception {
        Path run = root.resolve("lora-run");
        EvalCommandTest.Run train = EvalCommandTest.run(new TrainCommand(), "sft", "--data", fixture.data.toString(),
                "--model", fixture.checkpoint.toString(), "--out", run.toString(), "--lora", "--lora-r", "4",
                "--lora-alpha", "8", "--lora-dropout", "0", "--lora-targets", "q_proj,v_proj", "--set",
                "train.max_steps=2", "--set", "train.batch_size=2", "--set", "train.lr=1e-2", "--set",
                "sft.on_bad_sample=skip", "--no-progress");
        assertThat(train.code()).as(train.err()).isZero();
        Path fin = run.resolve("final");
        assertThat(train.out()).contains("adapter: " + fin);
        assertThat(fin.resolve("model.safetensors")).doesNotExist();
        LoraAdapter trained = LoraAdapter.read(fin);
        assertThat(trained.config().r()).isEqualTo(4);
        assertThat(trained.parameters()).allMatch(p -> p.endsWith("q_proj.weight") || p.endsWith("v_proj.weight"))
                .hasSize(4); // two layers
        JsonNode recorded = Json.MAPPER.readTree(run.resolve("run.json").toFile()).path("config").path("lora");
        assertThat(recorded.path("enabled").asBoolean()).isTrue();
        assertThat(recorded.path("targets").toString()).isEqualTo("[\"q_proj\",\"v_proj\"]");

        EvalCommandTest.Run eval = EvalCommandTest.run(new EvalCommand(), "--model", fixture.checkpoint.toString(),
                "--adapter", fin.toString(), "--data", fixture.data.toString(), "--limit", "1",
                "--max-new-tokens", "2", "--out", root.resolve("eval-trained").toString(), "--no-progress");
        assertThat(eval.code()).as(eval.err()).isZero();
        EvalCommandTest.Run merge = EvalCommandTest.run(new ModelCommand(), "merge-lora", "--model",
                fixture.checkpoint.toString(), "--adapter", fin.toString(), "--out",
                root.resolve("merged-trained").toString());
        assertThat(merge.code()).as(merge.err()).isZero();
        assertThat(merge.out()).contains("4 weights changed");
        try (NDManager m = Engines.newManager();
             org.pathoreason.serve.ServedModel served = org.pathoreason.serve.ServedModel.load(fixture.checkpoint,
                     fin, null, m);
             CheckpointBundle merged = CheckpointBundle.open(root.resolve("merged-trained"), m);
             CheckpointBundle base = CheckpointBundle.open(fixture.checkpoint, m)) {
            // serve --adapter: the served model is the base with the trained adapter merged in
            ModelInput input = ModelInput.padded(List.of(new long[] {5, 17, 42, 99, 3, 64, 120, 7}), 0, true,
                    new float[0], List.of());
            float[] servedLogits = served.model().logits(input, m).toFloatArray();
            assertThat(servedLogits).isEqualTo(merged.model().logits(input, m).toFloatArray());
            assertThat(servedLogits).isNotEqualTo(base.model().logits(input, m).toFloatArray());
        }
    }

    @Test
    void aBadAdapterIsAOneLineUserError() {
        EvalCommandTest.Run run = EvalCommandTest.run(new ModelCommand(), "merge-lora", "--model",
                fixture.checkpoint.toString(), "--adapter", root.resolve("nowhere").toString(), "--out",
                root.resolve("x").toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("nowhere").contains("does not exist");
    }
}

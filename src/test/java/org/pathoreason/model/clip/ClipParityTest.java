package org.pathoreason.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.util.Json;

/**
 * Our dual encoder against OpenCLIP and transformers on the committed fixture ({@code tools/make_clip_fixture.py}):
 * token ids, preprocessed pixels, image and text features and embeddings, and logits, for a model saved by OpenCLIP
 * in its own layout and another converted to Hugging Face's {@code CLIPModel} and saved by transformers.
 */
class ClipParityTest {

    static final Path FIXTURE = Path.of("src/test/resources/org/pathoreason/model/clip");

    @Test
    void openClipLayoutMatchesOpenClip() throws Exception {
        compare(FIXTURE.resolve("openclip"), "openclip");
    }

    @Test
    void huggingFaceLayoutMatchesTransformers() throws Exception {
        compare(FIXTURE.resolve("hf"), "hf");
    }

    @Test
    void tokensMatchOpenClipsTokenizer() throws Exception {
        Path dir = FIXTURE.resolve("openclip");
        try (ClipModel model = ClipModel.load(dir); ClipTokenizer tokenizer = ClipTokenizer.load(dir, model.config());
             SafetensorsReader expected = SafetensorsReader.open(FIXTURE.resolve("expected.safetensors"))) {
            long[][] ids = tokenizer.encode(texts());
            long[] flat = expected.readLongs("token_ids");
            int c = tokenizer.contextLength();
            assertThat(flat).hasSize(ids.length * c);
            for (int i = 0; i < ids.length; i++) {
                for (int j = 0; j < c; j++) {
                    assertThat(ids[i][j]).as("text %d column %d", i, j).isEqualTo(flat[i * c + j]);
                }
            }
        }
    }

    @Test
    void savedModelReloadsIdentically(@TempDir Path tmp) throws Exception {
        Path dir = FIXTURE.resolve("hf");
        Path saved = tmp.resolve("saved");
        try (ClipModel model = ClipModel.load(dir)) {
            model.save(saved);
            JsonNode cfg = Json.MAPPER.readTree(Files.readString(saved.resolve(ClipConfig.OPEN_CLIP_CONFIG)));
            assertThat(cfg.path("model_cfg").path("vision_cfg").path("patch_size").asInt()).isEqualTo(16);
            try (SafetensorsReader r = SafetensorsReader.open(saved.resolve(ClipConfig.OPEN_CLIP_WEIGHTS))) {
                assertThat(r.names()).contains("visual.conv1.weight", "visual.class_embedding",
                        "visual.transformer.resblocks.1.attn.in_proj_weight", "transformer.resblocks.0.mlp.c_fc.weight",
                        "visual.proj", "token_embedding.weight", "positional_embedding", "text_projection",
                        "logit_scale");
            }
        }
        Files.copy(dir.resolve("tokenizer.json"), saved.resolve("tokenizer.json"));
        try (ClipModel a = ClipModel.load(dir); ClipModel b = ClipModel.load(saved);
             ClipTokenizer tokenizer = ClipTokenizer.load(saved, b.config());
             NDManager step = Engines.newManager()) {
            long[][] ids = tokenizer.encode(texts());
            assertThat(b.textEmbeddings(ids, step).toFloatArray()).containsExactly(
                    a.textEmbeddings(ids, step).toFloatArray());
            // an OpenCLIP save crops as torchvision does; the Hugging Face folder truncated the offset
            assertThat(b.config().preprocess().crop()).isEqualTo(ClipConfig.CropRounding.ROUND);
            assertThat(a.config().preprocess().crop()).isEqualTo(ClipConfig.CropRounding.TRUNCATE);
        }
    }

    @Test
    void moduleAndCustomTextPrefixesAreAccepted(@TempDir Path tmp) throws Exception {
        Path src = FIXTURE.resolve("openclip");
        Path dir = tmp.resolve("prefixed");
        Files.createDirectories(dir);
        JsonNode cfg = Json.MAPPER.readTree(Files.readString(src.resolve(ClipConfig.OPEN_CLIP_CONFIG)));
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("model_cfg")).put("custom_text", true);
        Files.writeString(dir.resolve(ClipConfig.OPEN_CLIP_CONFIG), cfg.toString());
        org.pathoreason.model.io.SafetensorsWriter w = new org.pathoreason.model.io.SafetensorsWriter();
        try (SafetensorsReader r = SafetensorsReader.open(src.resolve(ClipConfig.OPEN_CLIP_WEIGHTS))) {
            for (String n : r.names()) {
                String renamed = n.startsWith("visual.") || n.equals("logit_scale") ? n : "text." + n;
                w.putRaw("module." + renamed, r.info(n).dtype(), r.info(n).shape(), r.readBytes(n));
            }
        }
        w.write(dir.resolve(ClipConfig.OPEN_CLIP_WEIGHTS));
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        compare(dir, "openclip");
    }

    @Test
    void unsupportedTowersAreRefusedByName(@TempDir Path tmp) throws Exception {
        JsonNode cfg = Json.MAPPER.readTree(Files.readString(FIXTURE.resolve("openclip")
                .resolve(ClipConfig.OPEN_CLIP_CONFIG)));
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("model_cfg").get("text_cfg"))
                .put("hf_model_name", "microsoft/BiomedNLP-PubMedBERT-base-uncased-abstract");
        assertThatThrownBy(() -> ClipConfig.fromOpenClip(cfg, "x/open_clip_config.json"))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("x/open_clip_config.json: text_cfg.hf_model_name");
        assertThatThrownBy(() -> ClipModel.load(tmp)).isInstanceOf(ModelException.class)
                .hasMessageContaining("not a CLIP model folder");
    }

    /** Loads {@code dir}, runs the fixture's images and texts, compares with the fixture's {@code key.*}. */
    static void compare(Path dir, String key) throws IOException {
        try (ClipModel model = ClipModel.load(dir); ClipTokenizer tokenizer = ClipTokenizer.load(dir, model.config());
             SafetensorsReader expected = SafetensorsReader.open(FIXTURE.resolve("expected.safetensors"));
             NDManager step = Engines.newManager()) {
            ClipImageProcessor processor = new ClipImageProcessor(model.config().preprocess());
            List<float[]> images = new ArrayList<>();
            for (String name : imageNames()) {
                images.add(processor.process(FIXTURE.resolve("images").resolve(name)));
            }
            NDArray pixels = processor.batch(images, step);
            assertThat(maxDiff(pixels.toFloatArray(), expected.readFloats(key + ".pixels")))
                    .as("pixels after preprocessing").isLessThan(1e-6);
            long[][] ids = tokenizer.encode(texts());
            NDArray imageFeatures = model.imageFeatures(pixels, step);
            NDArray textFeatures = model.textFeatures(ids, step);
            assertThat(maxDiff(imageFeatures.toFloatArray(), expected.readFloats(key + ".image_features")))
                    .as("image features").isLessThan(1e-4);
            assertThat(maxDiff(textFeatures.toFloatArray(), expected.readFloats(key + ".text_features")))
                    .as("text features").isLessThan(1e-4);
            NDArray ie = model.imageEmbeddings(pixels, step);
            NDArray te = model.textEmbeddings(ids, step);
            assertThat(maxDiff(ie.toFloatArray(), expected.readFloats(key + ".image_embeddings")))
                    .as("image embeddings").isLessThan(1e-4);
            assertThat(maxDiff(te.toFloatArray(), expected.readFloats(key + ".text_embeddings")))
                    .as("text embeddings").isLessThan(1e-4);
            NDArray logits = ie.matMul(te.transpose()).mul(model.logitScale(step));
            assertThat(maxDiff(logits.toFloatArray(), expected.readFloats(key + ".logits")))
                    .as("logits").isLessThan(1e-3);
        } catch (org.pathoreason.model.io.SafetensorsException e) {
            throw new IOException(e);
        }
    }

    static List<String> texts() throws IOException {
        List<String> out = new ArrayList<>();
        fixture().get("texts").forEach(t -> out.add(t.asText()));
        return out;
    }

    static List<String> imageNames() throws IOException {
        List<String> out = new ArrayList<>();
        fixture().get("images").forEach(t -> out.add(t.asText()));
        return out;
    }

    static JsonNode fixture() throws IOException {
        return Json.MAPPER.readTree(Files.readString(FIXTURE.resolve("fixture.json")));
    }

    static double maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}

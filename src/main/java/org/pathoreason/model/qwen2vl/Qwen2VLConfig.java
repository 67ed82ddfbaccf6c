package org.pathoreason.model.qwen2vl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pathoreason.model.ModelException;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * The configuration of a Qwen2.5-VL model, read from (and written as) a Hugging Face {@code config.json} of
 * {@code model_type} {@code qwen2_5_vl}. Both the older flat layout (language-model keys at the top level) and the
 * newer one (keys under {@code text_config}, rope under {@code rope_parameters}) are read; the flat layout is
 * written, which every transformers release that knows Qwen2.5-VL reads.
 *
 * @param vision the vision tower and patch merger
 * @param text the language model
 * @param tokens the special token ids the model itself needs (image pads, vision start/end, bos/eos)
 */
public record Qwen2VLConfig(VisionConfig vision, TextConfig text, SpecialTokenIds tokens) {

    public static final String MODEL_TYPE = "qwen2_5_vl";

    /**
     * Vision tower settings ({@code vision_config}).
     *
     * @param depth number of vision blocks
     * @param hiddenSize width of the vision blocks
     * @param intermediateSize width of the vision SwiGLU MLP
     * @param numHeads attention heads of the vision blocks
     * @param outHiddenSize output width of the patch merger (the language model's hidden size)
     * @param patchSize spatial patch side in pixels (14)
     * @param spatialMergeSize side of the square of patches the merger folds into one token (2)
     * @param temporalPatchSize frames per patch (2; a still image is repeated)
     * @param windowSize side in pixels of the attention windows (112)
     * @param fullAttentionBlocks indexes of the blocks that attend over the whole image instead of windows
     * @param inChannels image channels (3)
     * @param tokensPerSecond temporal position scale for videos (kept for the config round trip)
     * @param initializerRange std of the normal initialisation
     */
    public record VisionConfig(int depth, int hiddenSize, int intermediateSize, int numHeads, int outHiddenSize,
                               int patchSize, int spatialMergeSize, int temporalPatchSize, int windowSize,
                               List<Integer> fullAttentionBlocks, int inChannels, int tokensPerSecond,
                               double initializerRange) {

        public VisionConfig {
            fullAttentionBlocks = List.copyOf(fullAttentionBlocks);
        }

        public int headDim() {
            return hiddenSize / numHeads;
        }

        /** Values per flattened patch: channels x frames x patch x patch (1176 for the published models). */
        public int patchValues() {
            return inChannels * temporalPatchSize * patchSize * patchSize;
        }

        /** Patches folded into one language-model token (4). */
        public int mergeUnit() {
            return spatialMergeSize * spatialMergeSize;
        }

        /** Side of an attention window counted in merged tokens. */
        public int windowInMergedTokens() {
            return windowSize / spatialMergeSize / patchSize;
        }
    }

    /**
     * Language model settings.
     *
     * @param vocabSize rows of the embedding and of {@code lm_head}
     * @param hiddenSize model width
     * @param intermediateSize SwiGLU MLP width
     * @param numLayers decoder layers
     * @param numHeads query heads
     * @param numKvHeads key/value heads (grouped-query attention)
     * @param rmsNormEps epsilon of the RMS norms
     * @param ropeTheta rotary base
     * @param mropeSection rotary frequencies given to the temporal, height and width position (sums to headDim/2)
     * @param tieWordEmbeddings whether {@code lm_head} shares the embedding matrix
     * @param maxPositionEmbeddings longest sequence the model was built for
     * @param initializerRange std of the normal initialisation
     */
    public record TextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                             int numKvHeads, double rmsNormEps, double ropeTheta, List<Integer> mropeSection,
                             boolean tieWordEmbeddings, int maxPositionEmbeddings, double initializerRange) {

        public TextConfig {
            mropeSection = List.copyOf(mropeSection);
        }

        public int headDim() {
            return hiddenSize / numHeads;
        }
    }

    /**
     * Token ids the architecture uses: image and video pads (replaced by vision features), the vision start/end
     * markers (position ids), bos and eos.
     */
    public record SpecialTokenIds(int imageTokenId, int videoTokenId, int visionStartTokenId, int visionEndTokenId,
                                  int bosTokenId, int eosTokenId) {
    }

    public Qwen2VLConfig {
        Objects.requireNonNull(vision, "vision");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(tokens, "tokens");
        validate(vision, text, tokens);
    }

    /** A few-million-parameter model of the same architecture, for demos and tests; vocabulary from the tokenizer. */
    public static Qwen2VLConfig tiny(int vocabSize, SpecialTokenIds tokens) {
        VisionConfig vision = new VisionConfig(4, 64, 128, 4, 128, 14, 2, 2, 56, List.of(1, 3), 3, 2, 0.02);
        TextConfig text = new TextConfig(vocabSize, 128, 352, 4, 4, 2, 1e-6, 1_000_000.0, List.of(4, 6, 6), true,
                32768, 0.02);
        return new Qwen2VLConfig(vision, text, tokens);
    }

    /** The published Qwen2.5-VL token ids (image pad 151655, video pad 151656, vision start/end, bos, eos). */
    public static final SpecialTokenIds PUBLISHED_TOKENS = new SpecialTokenIds(151655, 151656, 151652, 151653, 151643,
            151645);

    /**
     * A built-in architecture: the {@code config.json} values of Qwen2.5-VL-3B-Instruct and -7B-Instruct (vision
     * tower: depth 32, width 1280, MLP 3420, 16 heads, windows of 112 pixels, full attention in blocks 7, 15, 23, 31;
     * rotary base 1e6, mrope sections 16/24/24), and a benchmark model between those and the tiny one.
     */
    public enum Preset {
        /** Qwen2.5-VL-3B-Instruct: width 2048, 36 layers, 16 heads, 2 kv heads, MLP 11008, tied embeddings. */
        QWEN2_5_VL_3B("qwen2.5-vl-3b", 151936, 2048, 11008, 36, 16, 2, true, 32, List.of(7, 15, 23, 31),
                List.of(16, 24, 24), 128000),
        /** Qwen2.5-VL-7B-Instruct: width 3584, 28 layers, 28 heads, 4 kv heads, MLP 18944, separate lm_head. */
        QWEN2_5_VL_7B("qwen2.5-vl-7b", 152064, 3584, 18944, 28, 28, 4, false, 32, List.of(7, 15, 23, 31),
                List.of(16, 24, 24), 128000),
        /**
         * For benchmarks: the language model of Qwen2.5-0.5B (width 896, 24 layers, 14 heads, 2 kv heads, MLP 4864,
         * tied embeddings) with a 4-block vision tower at Qwen2.5-VL's width, the last block full attention: large
         * enough that arithmetic rather than call overhead sets the speed.
         */
        BENCH_0_5B("bench-0.5b", 151936, 896, 4864, 24, 14, 2, true, 4, List.of(3), List.of(8, 12, 12), 32768);

        private final String id;
        private final int vocab;
        private final int hidden;
        private final int intermediate;
        private final int layers;
        private final int heads;
        private final int kvHeads;
        private final boolean tied;
        private final int visionDepth;
        private final List<Integer> fullAttentionBlocks;
        private final List<Integer> mropeSection;
        private final int maxPositions;

        Preset(String id, int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads, boolean tied,
               int visionDepth, List<Integer> fullAttentionBlocks, List<Integer> mropeSection, int maxPositions) {
            this.id = id;
            this.vocab = vocab;
            this.hidden = hidden;
            this.intermediate = intermediate;
            this.layers = layers;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.tied = tied;
            this.visionDepth = visionDepth;
            this.fullAttentionBlocks = fullAttentionBlocks;
            this.mropeSection = mropeSection;
            this.maxPositions = maxPositions;
        }

        /** The name used on the command line, e.g. {@code qwen2.5-vl-7b}. */
        public String id() {
            return id;
        }

        /** The preset named {@code id}, or null. */
        public static Preset byId(String id) {
            for (Preset p : values()) {
                if (p.id.equals(id)) {
                    return p;
                }
            }
            return null;
        }

        /** The published config with {@code tokens} (the published ids, or a tokenizer's). */
        public Qwen2VLConfig config(SpecialTokenIds tokens) {
            VisionConfig vision = new VisionConfig(visionDepth, 1280, 3420, 16, hidden, 14, 2, 2, 112,
                    fullAttentionBlocks, 3, 2, 0.02);
            TextConfig text = new TextConfig(vocab, hidden, intermediate, layers, heads, kvHeads, 1e-6, 1_000_000.0,
                    mropeSection, tied, maxPositions, 0.02);
            return new Qwen2VLConfig(vision, text, tokens);
        }
    }

    /** A copy with another vocabulary size (e.g. set from a tokenizer). */
    public Qwen2VLConfig withVocabSize(int vocabSize) {
        TextConfig t = text;
        return new Qwen2VLConfig(vision, new TextConfig(vocabSize, t.hiddenSize, t.intermediateSize, t.numLayers,
                t.numHeads, t.numKvHeads, t.rmsNormEps, t.ropeTheta, t.mropeSection, t.tieWordEmbeddings,
                t.maxPositionEmbeddings, t.initializerRange), tokens);
    }

    /** Reads {@code config.json} (a file, or a checkpoint directory holding one). */
    public static Qwen2VLConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new ModelException("no config.json at " + file);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        try {
            return fromJson(root);
        } catch (ModelException e) {
            throw new ModelException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a {@code config.json} tree. */
    public static Qwen2VLConfig fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new ModelException("config must be a JSON object");
        }
        String modelType = root.path("model_type").asText("");
        if ("qwen2_vl".equals(modelType)) {
            throw new ModelException("model_type 'qwen2_vl' (Qwen2-VL) is not supported: its vision tower differs "
                    + "(LayerNorm, GELU MLP, no window attention); supported model_type: '" + MODEL_TYPE + "'");
        }
        if (!MODEL_TYPE.equals(modelType)) {
            throw new ModelException("unknown model_type '" + modelType + "'; supported model_type: '" + MODEL_TYPE
                    + "' (Qwen2.5-VL)");
        }
        JsonNode v = root.get("vision_config");
        if (v == null || !v.isObject()) {
            throw new ModelException("missing object 'vision_config'");
        }
        JsonNode t = root.has("text_config") && root.get("text_config").isObject() ? root.get("text_config") : root;
        Fields vf = new Fields(v, null, "vision_config.");
        Fields tf = new Fields(t, root, t == root ? "" : "text_config.");
        Fields rf = new Fields(root, t, "");

        VisionConfig vision = new VisionConfig(
                vf.integer("depth", null),
                vf.integer("hidden_size", null),
                vf.integer("intermediate_size", null),
                vf.integer("num_heads", null),
                vf.integer("out_hidden_size", null),
                vf.integer("patch_size", vf.has("spatial_patch_size") ? vf.integer("spatial_patch_size", 14) : 14),
                vf.integer("spatial_merge_size", 2),
                vf.integer("temporal_patch_size", 2),
                vf.integer("window_size", 112),
                vf.intList("fullatt_block_indexes", List.of()),
                vf.has("in_channels") ? vf.integer("in_channels", 3) : vf.integer("in_chans", 3),
                vf.integer("tokens_per_second", 2),
                vf.decimal("initializer_range", 0.02));
        String visionAct = vf.text("hidden_act", "silu");
        if (!"silu".equals(visionAct)) {
            throw new ModelException("vision_config.hidden_act '" + visionAct + "' is not supported (expected 'silu')");
        }
        String textAct = tf.text("hidden_act", "silu");
        if (!"silu".equals(textAct)) {
            throw new ModelException(tf.prefix + "hidden_act '" + textAct + "' is not supported (expected 'silu')");
        }

        JsonNode rope = t.has("rope_scaling") && !t.get("rope_scaling").isNull() ? t.get("rope_scaling")
                : t.has("rope_parameters") && !t.get("rope_parameters").isNull() ? t.get("rope_parameters")
                : root.path("rope_scaling");
        if (rope.isMissingNode() || rope.isNull() || !rope.isObject()) {
            throw new ModelException("missing 'rope_scaling' with 'mrope_section' (Qwen2.5-VL uses multimodal rotary "
                    + "positions)");
        }
        String ropeType = rope.has("rope_type") ? rope.get("rope_type").asText() : rope.path("type").asText("default");
        if (!ropeType.equals("mrope") && !ropeType.equals("default")) {
            throw new ModelException("rope type '" + ropeType + "' is not supported (expected 'mrope' or 'default')");
        }
        Fields ropeFields = new Fields(rope, null, "rope_scaling.");
        List<Integer> mrope = ropeFields.intList("mrope_section", null);
        double theta = rope.has("rope_theta") ? ropeFields.decimal("rope_theta", 1e6) : tf.decimal("rope_theta", 1e6);

        int heads = tf.integer("num_attention_heads", null);
        TextConfig text = new TextConfig(
                tf.integer("vocab_size", null),
                tf.integer("hidden_size", null),
                tf.integer("intermediate_size", null),
                tf.integer("num_hidden_layers", null),
                heads,
                tf.has("num_key_value_heads") ? tf.integer("num_key_value_heads", heads) : heads,
                tf.decimal("rms_norm_eps", 1e-6),
                theta,
                mrope,
                rf.bool("tie_word_embeddings", false),
                tf.integer("max_position_embeddings", 32768),
                tf.decimal("initializer_range", 0.02));

        SpecialTokenIds tokens = new SpecialTokenIds(
                rf.integer("image_token_id", 151655),
                rf.integer("video_token_id", 151656),
                rf.integer("vision_start_token_id", 151652),
                rf.integer("vision_end_token_id", 151653),
                rf.firstInteger("bos_token_id", 151643),
                rf.firstInteger("eos_token_id", 151645));
        return new Qwen2VLConfig(vision, text, tokens);
    }

    /** The config as Hugging Face's flat {@code config.json} layout. */
    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putArray("architectures").add("Qwen2_5_VLForConditionalGeneration");
        root.put("model_type", MODEL_TYPE);
        root.put("attention_dropout", 0.0);
        root.put("bos_token_id", tokens.bosTokenId);
        root.put("eos_token_id", tokens.eosTokenId);
        root.put("vision_start_token_id", tokens.visionStartTokenId);
        root.put("vision_end_token_id", tokens.visionEndTokenId);
        root.put("image_token_id", tokens.imageTokenId);
        root.put("video_token_id", tokens.videoTokenId);
        root.put("hidden_act", "silu");
        root.put("hidden_size", text.hiddenSize);
        root.put("initializer_range", text.initializerRange);
        root.put("intermediate_size", text.intermediateSize);
        root.put("max_position_embeddings", text.maxPositionEmbeddings);
        root.put("max_window_layers", text.numLayers);
        root.put("num_attention_heads", text.numHeads);
        root.put("num_hidden_layers", text.numLayers);
        root.put("num_key_value_heads", text.numKvHeads);
        root.put("rms_norm_eps", text.rmsNormEps);
        root.put("rope_theta", text.ropeTheta);
        ObjectNode rope = root.putObject("rope_scaling");
        rope.put("type", "mrope");
        ArrayNode section = rope.putArray("mrope_section");
        text.mropeSection.forEach(section::add);
        root.put("sliding_window", text.maxPositionEmbeddings);
        root.put("use_sliding_window", false);
        root.put("tie_word_embeddings", text.tieWordEmbeddings);
        root.put("torch_dtype", "float32");
        root.put("use_cache", true);
        root.put("vocab_size", text.vocabSize);
        ObjectNode v = root.putObject("vision_config");
        v.put("depth", vision.depth);
        v.put("hidden_act", "silu");
        v.put("hidden_size", vision.hiddenSize);
        v.put("intermediate_size", vision.intermediateSize);
        v.put("num_heads", vision.numHeads);
        v.put("in_chans", vision.inChannels);
        v.put("in_channels", vision.inChannels);
        v.put("out_hidden_size", vision.outHiddenSize);
        v.put("patch_size", vision.patchSize);
        v.put("spatial_merge_size", vision.spatialMergeSize);
        v.put("spatial_patch_size", vision.patchSize);
        v.put("temporal_patch_size", vision.temporalPatchSize);
        v.put("window_size", vision.windowSize);
        ArrayNode full = v.putArray("fullatt_block_indexes");
        vision.fullAttentionBlocks.forEach(full::add);
        v.put("tokens_per_second", vision.tokensPerSecond);
        v.put("initializer_range", vision.initializerRange);
        return root;
    }

    /** Writes {@code config.json} atomically. */
    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(toJson()) + "\n");
        } catch (IOException e) {
            throw new ModelException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Number of parameters (counting a tied embedding once). */
    public long parameterCount() {
        return Qwen2VLParameters.specs(this).stream().mapToLong(s -> s.shape().size()).sum();
    }

    private static void validate(VisionConfig v, TextConfig t, SpecialTokenIds ids) {
        require(v.depth > 0 && v.hiddenSize > 0 && v.intermediateSize > 0 && v.numHeads > 0 && v.outHiddenSize > 0,
                "vision_config sizes must be positive: " + v);
        require(v.hiddenSize % v.numHeads == 0, "vision_config.hidden_size " + v.hiddenSize
                + " must be divisible by num_heads " + v.numHeads);
        require(v.headDim() % 4 == 0, "vision head dim " + v.headDim() + " must be divisible by 4 (2-D rotary)");
        require(v.patchSize > 0 && v.spatialMergeSize > 0 && v.temporalPatchSize > 0 && v.inChannels > 0,
                "vision_config patch sizes must be positive: " + v);
        // products in long: sizes near the int range must be refused, not overflow into a zero or negative size
        long mergedPatch = (long) v.patchSize * v.spatialMergeSize;
        require(v.windowSize > 0 && v.windowSize % mergedPatch == 0,
                "vision_config.window_size " + v.windowSize + " must be a positive multiple of patch_size x "
                        + "spatial_merge_size = " + mergedPatch);
        long patchValues = (long) v.inChannels * v.temporalPatchSize * v.patchSize * v.patchSize;
        require(patchValues <= Integer.MAX_VALUE, "vision_config: in_channels x temporal_patch_size x patch_size^2 = "
                + patchValues + " values per patch is too large");
        for (int b : v.fullAttentionBlocks) {
            require(b >= 0 && b < v.depth, "vision_config.fullatt_block_indexes has " + b + ", outside 0.."
                    + (v.depth - 1));
        }
        require(t.vocabSize > 0 && t.hiddenSize > 0 && t.intermediateSize > 0 && t.numLayers > 0 && t.numHeads > 0
                && t.numKvHeads > 0, "language model sizes must be positive: " + t);
        require(t.hiddenSize % t.numHeads == 0, "hidden_size " + t.hiddenSize + " must be divisible by "
                + "num_attention_heads " + t.numHeads);
        require(t.numHeads % t.numKvHeads == 0, "num_attention_heads " + t.numHeads + " must be divisible by "
                + "num_key_value_heads " + t.numKvHeads);
        require(t.headDim() % 2 == 0, "head dim " + t.headDim() + " must be even (rotary)");
        require(t.mropeSection.size() == 3, "rope_scaling.mrope_section must have 3 entries (temporal, height, "
                + "width), got " + t.mropeSection);
        require(t.mropeSection.stream().allMatch(x -> x >= 0), "rope_scaling.mrope_section entries must not be "
                + "negative, got " + t.mropeSection);
        long sum = t.mropeSection.stream().mapToLong(Integer::longValue).sum();
        require(sum * 2 == t.headDim(), "rope_scaling.mrope_section " + t.mropeSection + " must sum to head_dim/2 = "
                + t.headDim() / 2 + ", sums to " + sum);
        require(v.outHiddenSize == t.hiddenSize, "vision_config.out_hidden_size " + v.outHiddenSize
                + " must equal hidden_size " + t.hiddenSize);
        require(t.rmsNormEps > 0 && t.ropeTheta > 0, "rms_norm_eps and rope_theta must be positive");
        require(ids.imageTokenId >= 0 && ids.imageTokenId < t.vocabSize, "image_token_id " + ids.imageTokenId
                + " is outside the vocabulary (size " + t.vocabSize + ")");
        require(ids.visionStartTokenId >= 0 && ids.visionStartTokenId < t.vocabSize, "vision_start_token_id "
                + ids.visionStartTokenId + " is outside the vocabulary (size " + t.vocabSize + ")");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ModelException(message);
        }
    }

    /** Reads typed fields from a node, falling back to a second node, with messages naming the key. */
    private static final class Fields {
        final JsonNode node;
        final JsonNode fallback;
        final String prefix;

        Fields(JsonNode node, JsonNode fallback, String prefix) {
            this.node = node;
            this.fallback = fallback;
            this.prefix = prefix;
        }

        boolean has(String key) {
            return find(key) != null;
        }

        private JsonNode find(String key) {
            JsonNode n = node.get(key);
            if ((n == null || n.isNull()) && fallback != null) {
                n = fallback.get(key);
            }
            return n == null || n.isNull() ? null : n;
        }

        int integer(String key, Integer dflt) {
            JsonNode n = find(key);
            if (n == null) {
                if (dflt == null) {
                    throw new ModelException("missing '" + prefix + key + "'");
                }
                return dflt;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw new ModelException("'" + prefix + key + "' must be an integer, got " + n);
            }
            return n.intValue();
        }

        int firstInteger(String key, int dflt) {
            JsonNode n = find(key);
            if (n != null && n.isArray()) {
                if (n.isEmpty() || !n.get(0).isIntegralNumber()) {
                    throw new ModelException("'" + prefix + key + "' must be an integer or a list of integers");
                }
                return n.get(0).intValue();
            }
            return integer(key, dflt);
        }

        double decimal(String key, double dflt) {
            JsonNode n = find(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isNumber()) {
                throw new ModelException("'" + prefix + key + "' must be a number, got " + n);
            }
            return n.doubleValue();
        }

        boolean bool(String key, boolean dflt) {
            JsonNode n = find(key);
            if (n == null) {
                return dflt;
            }
            if (!n.isBoolean()) {
                throw new ModelException("'" + prefix + key + "' must be true or false, got " + n);
            }
            return n.booleanValue();
        }

        String text(String key, String dflt) {
            JsonNode n = find(key);
            return n == null ? dflt : n.asText();
        }

        List<Integer> intList(String key, List<Integer> dflt) {
            JsonNode n = find(key);
            if (n == null) {
                if (dflt == null) {
                    throw new ModelException("missing '" + prefix + key + "'");
                }
                return dflt;
            }
            if (!n.isArray()) {
                throw new ModelException("'" + prefix + key + "' must be a list of integers, got " + n);
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isIntegralNumber()) {
                    throw new ModelException("'" + prefix + key + "' must be a list of integers, got " + n);
                }
                out.add(e.intValue());
            }
            return out;
        }
    }
}

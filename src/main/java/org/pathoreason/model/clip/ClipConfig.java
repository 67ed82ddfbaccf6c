package org.pathoreason.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.pathoreason.model.ModelException;
import org.pathoreason.util.Json;

/**
 * The sizes and switches of a CLIP dual encoder, as OpenCLIP's {@code open_clip_config.json} states them
 * ({@code model_cfg} with {@code vision_cfg} and {@code text_cfg}, and {@code preprocess_cfg}), or as Hugging
 * Face's {@code CLIPModel} {@code config.json} and {@code preprocessor_config.json} do.
 *
 * <p>Supported: the ViT image tower (class-token or average pooling, optional pre-norm, layer scale, final norm
 * after pooling) and the causal text transformer (argmax, EOS, first or last pooling, optional projection bias),
 * each with QuickGELU or GELU. Rejected with a message naming the key: ResNet and timm image towers, Hugging Face
 * text towers, attentional poolers, CoCa's class embedding, SigLIP's logit bias and the custom attention blocks.
 *
 * @param embedDim the joint embedding width
 * @param quickGelu OpenAI's QuickGELU ({@code x * sigmoid(1.702 x)}) instead of exact GELU
 * @param customText the text tower's weights sit under {@code text.} (OpenCLIP's {@code CustomTextCLIP})
 * @param initLogitScale {@code logit_scale} of a new model (OpenCLIP: log(1 / 0.07))
 * @param layout where the config came from (and how the weights are named)
 */
public record ClipConfig(int embedDim, boolean quickGelu, boolean customText, VisionConfig vision, TextConfig text,
        PreprocessConfig preprocess, double initLogitScale, Layout layout) {

    /** OpenCLIP's config file. */
    public static final String OPEN_CLIP_CONFIG = "open_clip_config.json";
    /** OpenCLIP's weights file. */
    public static final String OPEN_CLIP_WEIGHTS = "open_clip_model.safetensors";
    /** log(1 / 0.07), OpenCLIP's and CLIP's initial logit scale. */
    public static final double DEFAULT_LOGIT_SCALE = Math.log(1 / 0.07);
    /** PyTorch's LayerNorm epsilon, used by OpenCLIP (and stated as {@code layer_norm_eps} by transformers). */
    public static final double LAYER_NORM_EPS = 1e-5;

    /** How a checkpoint names its tensors. */
    public enum Layout {
        /** OpenCLIP's {@code state_dict} names ({@code visual.conv1.weight}, {@code token_embedding.weight}, ...). */
        OPEN_CLIP,
        /** Hugging Face's {@code CLIPModel} names ({@code vision_model.embeddings...}, {@code text_model...}). */
        HUGGING_FACE
    }

    /** How the image tower pools its tokens. */
    public enum VisionPool { TOK, AVG }

    /** How the text tower picks the token whose features become the text's. */
    public enum TextPool {
        /** the position of the highest id (CLIP's end-of-text token is its last id) */
        ARGMAX,
        /** the first position holding {@code eos_id} */
        EOS,
        FIRST,
        LAST
    }

    /**
     * @param heads attention heads ({@code width / head_width})
     * @param mlpWidth hidden width of the MLP ({@code int(width * mlp_ratio)})
     * @param lnPre LayerNorm before the transformer ({@code no_ln_pre} false)
     * @param finalLnAfterPool the final LayerNorm after pooling instead of on every token
     * @param layerScale initial layer-scale value, or null when the blocks have none
     */
    public record VisionConfig(int imageSize, int patchSize, int width, int layers, int heads, int mlpWidth,
            VisionPool pool, boolean lnPre, boolean finalLnAfterPool, Double layerScale, double layerNormEps) {

        public VisionConfig {
            positive(imageSize, "vision image_size");
            positive(patchSize, "vision patch_size");
            positive(width, "vision width");
            positive(layers, "vision layers");
            positive(heads, "vision heads");
            positive(mlpWidth, "vision mlp width");
            if (imageSize % patchSize != 0) {
                throw new ModelException("vision image_size " + imageSize + " is not a multiple of patch_size "
                        + patchSize);
            }
            if (width % heads != 0) {
                throw new ModelException("vision width " + width + " is not a multiple of its " + heads + " heads");
            }
        }

        public int grid() {
            return imageSize / patchSize;
        }

        /** Patch tokens plus the class token. */
        public int tokens() {
            return grid() * grid() + 1;
        }
    }

    /**
     * @param eosId the end-of-text id that {@link TextPool#EOS} pools at
     * @param padId the id that fills a row after its end-of-text token
     * @param causal causal attention mask ({@code no_causal_mask} false)
     * @param projection a projection to {@code embedDim} ({@code proj_type} not {@code none})
     * @param projectionBias the projection is a linear layer with a bias ({@code proj_bias})
     */
    public record TextConfig(int contextLength, int vocabSize, int width, int layers, int heads, int mlpWidth,
            TextPool pool, int eosId, int padId, boolean causal, boolean projection, boolean projectionBias,
            Double layerScale, double layerNormEps) {

        public TextConfig {
            positive(contextLength, "text context_length");
            positive(vocabSize, "text vocab_size");
            positive(width, "text width");
            positive(layers, "text layers");
            positive(heads, "text heads");
            positive(mlpWidth, "text mlp width");
            if (width % heads != 0) {
                throw new ModelException("text width " + width + " is not a multiple of its " + heads + " heads");
            }
        }
    }

    /**
     * How images are prepared: the shorter side resized to {@code size} (bicubic, Pillow's filter), a centre crop
     * of {@code size x size}, then {@code (x / 255 - mean) / std} per channel.
     *
     * @param resizeMode {@code shortest} (keep the aspect ratio, then crop) or {@code squash} (resize both sides)
     * @param crop how the crop offset {@code (in - size) / 2} is made whole: rounded (torchvision, so OpenCLIP) or
     *     truncated (transformers' {@code CLIPImageProcessor})
     */
    public record PreprocessConfig(int size, double[] mean, double[] std, ResizeMode resizeMode, CropRounding crop) {

        public PreprocessConfig {
            positive(size, "preprocess size");
            if (mean == null || mean.length != 3 || std == null || std.length != 3) {
                throw new ModelException("preprocess mean and std must have 3 values each");
            }
            for (double s : std) {
                if (!(s > 0)) {
                    throw new ModelException("preprocess std must be positive, got " + s);
                }
            }
            mean = mean.clone();
            std = std.clone();
        }

        /** OpenAI CLIP's normalisation (OpenCLIP's default). */
        public static PreprocessConfig openAi(int size) {
            return new PreprocessConfig(size, new double[] {0.48145466, 0.4578275, 0.40821073},
                    new double[] {0.26862954, 0.26130258, 0.27577711}, ResizeMode.SHORTEST, CropRounding.ROUND);
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] std() {
            return std.clone();
        }
    }

    /** OpenCLIP's {@code resize_mode}. */
    public enum ResizeMode { SHORTEST, SQUASH }

    /** How the centre crop's offset is made whole. */
    public enum CropRounding {
        /** {@code int(round((in - out) / 2))}, ties to even: torchvision's {@code CenterCrop} */
        ROUND,
        /** {@code int((in - out) / 2)}: transformers' image processors */
        TRUNCATE
    }

    public ClipConfig {
        positive(embedDim, "embed_dim");
        if (vision == null || text == null || preprocess == null || layout == null) {
            throw new ModelException("a CLIP config needs vision, text, preprocess settings and a layout");
        }
        if (!text.projection() && text.width() != embedDim) {
            throw new ModelException("text proj_type none needs text width " + text.width() + " == embed_dim "
                    + embedDim);
        }
    }

    /** The same model saved in another layout (the weights are renamed on save). */
    public ClipConfig withLayout(Layout l) {
        return new ClipConfig(embedDim, quickGelu, customText, vision, text, preprocess, initLogitScale, l);
    }

    /**
     * A ViT dual encoder of the given sizes in OpenCLIP's layout: class-token pooling, pre-norm, GELU, argmax text
     * pooling (the end-of-text token must then be the tokenizer's highest id) unless {@code eosId >= 0}, which
     * pools at that id instead; MLPs four times as wide; OpenAI's normalisation.
     */
    public static ClipConfig vit(int embedDim, int imageSize, int patchSize, int visionWidth, int visionLayers,
            int visionHeads, int contextLength, int vocabSize, int textWidth, int textLayers, int textHeads,
            int eosId) {
        VisionConfig v = new VisionConfig(imageSize, patchSize, visionWidth, visionLayers, visionHeads,
                4 * visionWidth, VisionPool.TOK, true, false, null, LAYER_NORM_EPS);
        TextPool pool = eosId >= 0 ? TextPool.EOS : TextPool.ARGMAX;
        TextConfig t = new TextConfig(contextLength, vocabSize, textWidth, textLayers, textHeads, 4 * textWidth,
                pool, Math.max(eosId, 0), 0, true, true, false, null, LAYER_NORM_EPS);
        return new ClipConfig(embedDim, false, false, v, t, PreprocessConfig.openAi(imageSize), DEFAULT_LOGIT_SCALE,
                Layout.OPEN_CLIP);
    }

    /**
     * Reads the config of a model folder: {@code open_clip_config.json} (OpenCLIP), else {@code config.json} with
     * {@code model_type} {@code clip} (Hugging Face, with {@code preprocessor_config.json} when present).
     */
    public static ClipConfig read(Path dir) {
        Path openClip = dir.resolve(OPEN_CLIP_CONFIG);
        if (Files.isRegularFile(openClip)) {
            return fromOpenClip(readJson(openClip), openClip.toString());
        }
        Path hf = dir.resolve("config.json");
        if (Files.isRegularFile(hf)) {
            Path pre = dir.resolve("preprocessor_config.json");
            return fromHuggingFace(readJson(hf), Files.isRegularFile(pre) ? readJson(pre) : null, hf.toString());
        }
        throw new ModelException(dir + ": not a CLIP model folder (expected " + OPEN_CLIP_CONFIG
                + " from OpenCLIP or config.json of a Hugging Face CLIPModel)");
    }

    private static JsonNode readJson(Path file) {
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(file));
            if (n == null || !n.isObject()) {
                throw new ModelException(file + ": expected a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses OpenCLIP's {@code {"model_cfg": ..., "preprocess_cfg": ...}}. */
    public static ClipConfig fromOpenClip(JsonNode root, String source) {
        JsonNode m = root.path("model_cfg");
        if (!m.isObject()) {
            throw new ModelException(source + ": no \"model_cfg\" object");
        }
        Keys mk = new Keys(m, source + ": model_cfg");
        mk.refuse("init_logit_bias", "SigLIP models (a logit bias and the sigmoid loss) are not supported");
        mk.refuse("cast_dtype", null);
        int embed = mk.integer("embed_dim", null);
        boolean quick = mk.bool("quick_gelu", false);
        boolean customText = mk.bool("custom_text", false);
        double logitScale = mk.number("init_logit_scale", DEFAULT_LOGIT_SCALE);

        JsonNode vn = m.path("vision_cfg");
        if (!vn.isObject()) {
            throw new ModelException(source + ": model_cfg has no \"vision_cfg\" object");
        }
        Keys vk = new Keys(vn, source + ": vision_cfg");
        vk.refuse("timm_model_name", "timm image towers are not supported (only OpenCLIP's ViT)");
        if (vn.path("layers").isArray()) {
            throw new ModelException(source + ": vision_cfg.layers is a list (a ModifiedResNet tower); only ViT "
                    + "towers are supported");
        }
        vk.refuse("attentional_pool", "attentional pooling (CoCa) is not supported");
        vk.refuse("act_kwargs", "activation arguments are not supported");
        for (String k : List.of("qk_norm", "scaled_cosine_attn", "scale_heads", "scale_attn_inner", "scale_attn",
                "scale_fc")) {
            vk.refuse(k, "custom attention blocks are not supported");
        }
        String posType = vk.text("pos_embed_type", "learnable");
        if (!posType.equals("learnable") && !posType.equals("sin_cos_2d")) {
            throw new ModelException(source + ": vision_cfg.pos_embed_type '" + posType + "' is not supported");
        }
        int imageSize = squareSize(vn.path("image_size"), source + ": vision_cfg.image_size", 224);
        int vWidth = vk.integer("width", 768);
        int headWidth = vk.integer("head_width", 64);
        double vRatio = vk.number("mlp_ratio", 4.0);
        int patch = squareSize(vn.path("patch_size"), source + ": vision_cfg.patch_size", 16);
        VisionConfig vision = new VisionConfig(imageSize, patch, vWidth, vk.integer("layers", 12),
                vWidth / headWidth, (int) (vWidth * vRatio), visionPool(vk.text("pool_type", "tok"), source), !vk.bool("no_ln_pre", false), vk.bool("final_ln_after_pool",
                        false), vk.optionalNumber("ls_init_value"), normEps(vn, source + ": vision_cfg"));

        JsonNode tn = m.path("text_cfg");
        if (!tn.isObject()) {
            throw new ModelException(source + ": model_cfg has no \"text_cfg\" object");
        }
        Keys tk = new Keys(tn, source + ": text_cfg");
        tk.refuse("hf_model_name", "Hugging Face text towers are not supported (only OpenCLIP's text transformer)");
        tk.refuse("embed_cls", "a text class embedding (CoCa) is not supported");
        tk.refuse("act_kwargs", "activation arguments are not supported");
        for (String k : List.of("qk_norm", "scaled_cosine_attn", "scale_heads", "scale_attn_inner", "scale_attn",
                "scale_fc")) {
            tk.refuse(k, "custom attention blocks are not supported");
        }
        int tWidth = tk.integer("width", 512);
        String projType = tk.text("proj_type", "linear");
        if (!projType.equals("linear") && !projType.equals("none")) {
            throw new ModelException(source + ": text_cfg.proj_type '" + projType + "' is not supported (linear or "
                    + "none)");
        }
        TextPool pool;
        try {
            pool = TextPool.valueOf(tk.text("pool_type", "argmax").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelException(source + ": text_cfg.pool_type '" + tn.path("pool_type").asText()
                    + "' is not one of argmax, eos, first, last");
        }
        TextConfig text = new TextConfig(tk.integer("context_length", 77), tk.integer("vocab_size", 49408), tWidth,
                tk.integer("layers", 12), tk.integer("heads", 8), (int) (tWidth * tk.number("mlp_ratio", 4.0)), pool,
                tk.integer("eos_id", 2), tk.integer("pad_id", 0), !tk.bool("no_causal_mask", false),
                projType.equals("linear"), tk.bool("proj_bias", false), tk.optionalNumber("ls_init_value"),
                normEps(tn, source + ": text_cfg"));

        JsonNode p = root.path("preprocess_cfg");
        PreprocessConfig pre = PreprocessConfig.openAi(imageSize);
        if (p.isObject()) {
            Keys pk = new Keys(p, source + ": preprocess_cfg");
            String interpolation = pk.text("interpolation", "bicubic");
            if (!interpolation.equals("bicubic")) {
                throw new ModelException(source + ": preprocess_cfg.interpolation '" + interpolation
                        + "' is not supported (bicubic)");
            }
            String mode = pk.text("resize_mode", "shortest");
            ResizeMode rm = switch (mode) {
                case "shortest" -> ResizeMode.SHORTEST;
                case "squash" -> ResizeMode.SQUASH;
                default -> throw new ModelException(source + ": preprocess_cfg.resize_mode '" + mode
                        + "' is not supported (shortest or squash)");
            };
            int size = p.has("size") ? squareSize(p.get("size"), source + ": preprocess_cfg.size", imageSize)
                    : imageSize;
            pre = new PreprocessConfig(size, triple(p.get("mean"), pre.mean(), source + ": preprocess_cfg.mean"),
                    triple(p.get("std"), pre.std(), source + ": preprocess_cfg.std"), rm, CropRounding.ROUND);
        }
        return new ClipConfig(embed, quick, customText, vision, text, pre, logitScale, Layout.OPEN_CLIP);
    }

    /** Parses a Hugging Face {@code CLIPModel} {@code config.json} (and its {@code preprocessor_config.json}). */
    public static ClipConfig fromHuggingFace(JsonNode root, JsonNode preprocessor, String source) {
        String type = root.path("model_type").asText("");
        if (!type.equals("clip")) {
            throw new ModelException(source + ": model_type is '" + type + "', expected 'clip' (a CLIPModel)");
        }
        Keys rk = new Keys(root, source);
        JsonNode vn = root.path("vision_config");
        JsonNode tn = root.path("text_config");
        if (!vn.isObject() || !tn.isObject()) {
            throw new ModelException(source + ": a CLIPModel config needs vision_config and text_config objects");
        }
        Keys vk = new Keys(vn, source + ": vision_config");
        Keys tk = new Keys(tn, source + ": text_config");
        String vAct = vk.text("hidden_act", "quick_gelu");
        String tAct = tk.text("hidden_act", "quick_gelu");
        if (!vAct.equals(tAct) || !(vAct.equals("quick_gelu") || vAct.equals("gelu"))) {
            throw new ModelException(source + ": hidden_act must be quick_gelu or gelu and the same in both towers, "
                    + "got " + vAct + " and " + tAct);
        }
        int vWidth = vk.integer("hidden_size", 768);
        int imageSize = vk.integer("image_size", 224);
        VisionConfig vision = new VisionConfig(imageSize, vk.integer("patch_size", 32), vWidth,
                vk.integer("num_hidden_layers", 12), vk.integer("num_attention_heads", 12),
                vk.integer("intermediate_size", 3072), VisionPool.TOK, true, false, null,
                vk.number("layer_norm_eps", LAYER_NORM_EPS));
        int eos = tk.integer("eos_token_id", 2);
        // transformers pools at the highest id for the original configs (eos_token_id == 2), else at the first eos
        TextPool pool = eos == 2 ? TextPool.ARGMAX : TextPool.EOS;
        TextConfig text = new TextConfig(tk.integer("max_position_embeddings", 77), tk.integer("vocab_size", 49408),
                tk.integer("hidden_size", 512), tk.integer("num_hidden_layers", 12),
                tk.integer("num_attention_heads", 8), tk.integer("intermediate_size", 2048), pool, eos,
                tk.integer("pad_token_id", 1), true, true, false, null, tk.number("layer_norm_eps", LAYER_NORM_EPS));
        PreprocessConfig pre = PreprocessConfig.openAi(imageSize);
        pre = new PreprocessConfig(pre.size(), pre.mean(), pre.std(), ResizeMode.SHORTEST, CropRounding.TRUNCATE);
        if (preprocessor != null) {
            pre = hfPreprocess(preprocessor, pre, source.replace("config.json", "preprocessor_config.json"));
        }
        return new ClipConfig(rk.integer("projection_dim", 512), vAct.equals("quick_gelu"), false, vision, text, pre,
                rk.number("logit_scale_init_value", 2.6592), Layout.HUGGING_FACE);
    }

    private static PreprocessConfig hfPreprocess(JsonNode p, PreprocessConfig base, String source) {
        Keys k = new Keys(p, source);
        if (p.has("resample") && p.get("resample").asInt() != 3) {
            throw new ModelException(source + ": resample " + p.get("resample").asInt()
                    + " is not supported (3, bicubic)");
        }
        if (!k.bool("do_center_crop", true) || !k.bool("do_resize", true) || !k.bool("do_normalize", true)
                || !k.bool("do_rescale", true)) {
            throw new ModelException(source + ": do_resize, do_center_crop, do_rescale and do_normalize must be true");
        }
        int size = base.size();
        JsonNode crop = p.path("crop_size");
        int cropSize = crop.isInt() ? crop.asInt() : crop.path("height").asInt(size);
        if (crop.isObject() && crop.path("width").asInt(cropSize) != cropSize) {
            throw new ModelException(source + ": crop_size must be square");
        }
        JsonNode s = p.path("size");
        int shortest = s.isInt() ? s.asInt() : s.path("shortest_edge").asInt(cropSize);
        if (shortest != cropSize) {
            throw new ModelException(source + ": size.shortest_edge " + shortest + " differs from crop_size "
                    + cropSize + "; only resize-then-crop to one size is supported");
        }
        return new PreprocessConfig(cropSize, triple(p.get("image_mean"), base.mean(), source + ": image_mean"),
                triple(p.get("image_std"), base.std(), source + ": image_std"), ResizeMode.SHORTEST,
                CropRounding.TRUNCATE);
    }

    /** OpenCLIP's {@code open_clip_config.json} for this model. */
    public ObjectNode toOpenClipJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode m = root.putObject("model_cfg");
        m.put("embed_dim", embedDim);
        m.put("quick_gelu", quickGelu);
        if (customText) {
            m.put("custom_text", true);
        }
        m.put("init_logit_scale", initLogitScale);
        ObjectNode v = m.putObject("vision_cfg");
        v.put("image_size", vision.imageSize());
        v.put("patch_size", vision.patchSize());
        v.put("width", vision.width());
        v.put("layers", vision.layers());
        v.put("head_width", vision.width() / vision.heads());
        v.put("mlp_ratio", vision.mlpWidth() / (double) vision.width());
        v.put("pool_type", vision.pool().name().toLowerCase(Locale.ROOT));
        v.put("no_ln_pre", !vision.lnPre());
        v.put("final_ln_after_pool", vision.finalLnAfterPool());
        if (vision.layerScale() != null) {
            v.put("ls_init_value", vision.layerScale());
        }
        if (vision.layerNormEps() != LAYER_NORM_EPS) {
            v.putObject("norm_kwargs").put("eps", vision.layerNormEps());
        }
        ObjectNode t = m.putObject("text_cfg");
        t.put("context_length", text.contextLength());
        t.put("vocab_size", text.vocabSize());
        t.put("width", text.width());
        t.put("heads", text.heads());
        t.put("layers", text.layers());
        t.put("mlp_ratio", text.mlpWidth() / (double) text.width());
        t.put("pool_type", text.pool().name().toLowerCase(Locale.ROOT));
        t.put("eos_id", text.eosId());
        t.put("pad_id", text.padId());
        t.put("no_causal_mask", !text.causal());
        t.put("proj_type", text.projection() ? "linear" : "none");
        t.put("proj_bias", text.projectionBias());
        if (text.layerScale() != null) {
            t.put("ls_init_value", text.layerScale());
        }
        if (text.layerNormEps() != LAYER_NORM_EPS) {
            t.putObject("norm_kwargs").put("eps", text.layerNormEps());
        }
        ObjectNode p = root.putObject("preprocess_cfg");
        p.put("size", preprocess.size());
        ArrayNode mean = p.putArray("mean");
        ArrayNode std = p.putArray("std");
        for (int c = 0; c < 3; c++) {
            mean.add(preprocess.mean()[c]);
            std.add(preprocess.std()[c]);
        }
        p.put("interpolation", "bicubic");
        p.put("resize_mode", preprocess.resizeMode().name().toLowerCase(Locale.ROOT));
        return root;
    }

    private static VisionPool visionPool(String name, String source) {
        return switch (name) {
            case "tok" -> VisionPool.TOK;
            case "avg" -> VisionPool.AVG;
            default -> throw new ModelException(source + ": vision_cfg.pool_type '" + name
                    + "' is not supported (tok or avg)");
        };
    }

    private static double normEps(JsonNode tower, String where) {
        JsonNode kw = tower.path("norm_kwargs");
        if (kw.isMissingNode() || kw.isNull()) {
            return LAYER_NORM_EPS;
        }
        if (!kw.isObject()) {
            throw new ModelException(where + ".norm_kwargs must be an object");
        }
        kw.fieldNames().forEachRemaining(f -> {
            if (!f.equals("eps")) {
                throw new ModelException(where + ".norm_kwargs." + f + " is not supported (only eps)");
            }
        });
        return kw.path("eps").asDouble(LAYER_NORM_EPS);
    }

    private static int squareSize(JsonNode n, String where, int fallback) {
        if (n.isMissingNode() || n.isNull()) {
            return fallback;
        }
        if (n.canConvertToInt() && n.isIntegralNumber()) {
            return n.asInt();
        }
        if (n.isArray() && n.size() == 2 && n.get(0).isInt() && n.get(0).asInt() == n.get(1).asInt()) {
            return n.get(0).asInt();
        }
        throw new ModelException(where + " must be one integer (or a square [n, n]), got " + n);
    }

    private static double[] triple(JsonNode n, double[] fallback, String where) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return fallback;
        }
        if (!n.isArray() || n.size() != 3) {
            throw new ModelException(where + " must be a list of 3 numbers, got " + n);
        }
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            if (!n.get(i).isNumber()) {
                throw new ModelException(where + " must be a list of 3 numbers, got " + n);
            }
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    private static void positive(int v, String what) {
        if (v <= 0) {
            throw new ModelException(what + " must be positive, got " + v);
        }
    }

    /** Typed access to one JSON object's keys, with errors naming the file and key. */
    private record Keys(JsonNode node, String where) {

        int integer(String key, Integer fallback) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                if (fallback == null) {
                    throw new ModelException(where + " has no \"" + key + "\"");
                }
                return fallback;
            }
            if (!v.isIntegralNumber()) {
                throw new ModelException(where + "." + key + " must be an integer, got " + v);
            }
            return v.asInt();
        }

        double number(String key, double fallback) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isNumber()) {
                throw new ModelException(where + "." + key + " must be a number, got " + v);
            }
            return v.asDouble();
        }

        Double optionalNumber(String key) {
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? null : number(key, 0);
        }

        boolean bool(String key, boolean fallback) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw new ModelException(where + "." + key + " must be true or false, got " + v);
            }
            return v.asBoolean();
        }

        String text(String key, String fallback) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isTextual()) {
                throw new ModelException(where + "." + key + " must be a string, got " + v);
            }
            return v.asText();
        }

        /** Fails when {@code key} is set to anything but null, false, 0 or "". */
        void refuse(String key, String why) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull() || (v.isBoolean() && !v.asBoolean()) || (v.isNumber() && v.asDouble() == 0)
                    || (v.isTextual() && v.asText().isEmpty())) {
                return;
            }
            throw new ModelException(where + "." + key + " = " + v + ": " + (why == null ? "not supported" : why));
        }
    }
}

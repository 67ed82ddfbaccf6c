package org.pathoreason.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Embedding;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.SafetensorsException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.io.SafetensorsWriter;
import org.pathoreason.model.qwen2vl.Nn;
import org.pathoreason.util.Json;

/**
 * A CLIP dual encoder on DJL, as OpenCLIP computes it: a ViT image tower (patch embedding, class token, learned
 * positions, pre-norm, pre-LN transformer blocks with fused QKV, final norm, pooling, projection) and a text
 * transformer (token and position embeddings, causal blocks, final norm, pooling at the end-of-text token,
 * projection), with a learnable {@code logit_scale}. Parameters are float32 under OpenCLIP's names
 * ({@link ClipParameters}).
 *
 * <pre>{@code
 * try (ClipModel model = ClipModel.load(dir);
 *      ClipTokenizer tokenizer = ClipTokenizer.load(dir, model.config());
 *      NDManager step = Engines.newManager()) {
 *     ClipImageProcessor images = new ClipImageProcessor(model.config().preprocess());
 *     NDArray img = model.imageEmbeddings(images.batch(List.of(image), step), step);   // [1, D], L2-normalised
 *     NDArray txt = model.textEmbeddings(tokenizer.encode(texts), step);             // [T, D]
 * }
 * }</pre>
 * Every forward attaches what it creates to the caller's manager (the model's own holds the weights only); run it
 * inside a {@code GradientCollector} to train.
 */
public final class ClipModel implements AutoCloseable {

    private final ClipConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private boolean imageTowerLocked;

    private ClipModel(ClipConfig config, NDManager manager, Map<String, NDArray> params) {
        this.config = config.withLayout(ClipConfig.Layout.OPEN_CLIP);
        this.manager = manager;
        this.params = Collections.unmodifiableMap(params);
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
    }

    /**
     * Loads a model folder: OpenCLIP's ({@code open_clip_config.json} with {@code open_clip_model.safetensors},
     * or {@code model.safetensors} as training checkpoints hold it) or a Hugging Face {@code CLIPModel}
     * ({@code config.json}, {@code model.safetensors} or shards, optionally {@code preprocessor_config.json}).
     * F16 and BF16 weights are widened to float32. The model owns its manager; close it.
     */
    public static ClipModel load(Path dir) {
        ClipConfig config = ClipConfig.read(dir);
        Path weights = weightsPath(dir, config);
        NDManager m = Engines.newManager();
        m.setName("clip-weights");
        try (SafetensorsReader reader = SafetensorsReader.open(weights)) {
            Map<String, NDArray> params = ClipWeights.read(config, reader, m);
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                e.setValue(torchOwned(e.getValue(), m, e.getKey()));
            }
            return new ClipModel(config, m, params);
        } catch (SafetensorsException e) {
            m.close();
            throw new ModelException(e.getMessage(), e);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static Path weightsPath(Path dir, ClipConfig config) {
        if (config.layout() == ClipConfig.Layout.OPEN_CLIP) {
            for (String name : List.of(ClipConfig.OPEN_CLIP_WEIGHTS, SafetensorsReader.SINGLE_FILE)) {
                if (Files.isRegularFile(dir.resolve(name))) {
                    return dir.resolve(name);
                }
            }
            String hint = Files.isRegularFile(dir.resolve("open_clip_pytorch_model.bin"))
                    ? " (it has open_clip_pytorch_model.bin, a pickle: convert it to safetensors first)" : "";
            throw new ModelException(dir + ": no " + ClipConfig.OPEN_CLIP_WEIGHTS + " beside "
                    + ClipConfig.OPEN_CLIP_CONFIG + hint);
        }
        if (Files.isRegularFile(dir.resolve(SafetensorsReader.INDEX_FILE))
                || Files.isRegularFile(dir.resolve(SafetensorsReader.SINGLE_FILE))) {
            return dir;
        }
        throw new ModelException(dir + ": no model.safetensors (or shards) beside config.json"
                + (Files.isRegularFile(dir.resolve("pytorch_model.bin"))
                        ? " (it has pytorch_model.bin, a pickle: convert it to safetensors first)" : ""));
    }

    /** A randomly initialised model ({@link ClipParameters#specs}); the same seed gives the same weights. */
    public static ClipModel random(ClipConfig config, long seed) {
        NDManager m = Engines.newManager();
        m.setName("clip-weights");
        try {
            Map<String, NDArray> params = new LinkedHashMap<>();
            SplittableRandom root = new SplittableRandom(seed);
            for (ClipParameters.Spec s : ClipParameters.specs(config)) {
                SplittableRandom rng = root.split();
                float[] values = new float[Math.toIntExact(s.shape().size())];
                if (s.init() == ClipParameters.Init.NORMAL) {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (rng.nextGaussian() * s.value());
                    }
                } else {
                    Arrays.fill(values, (float) s.value());
                }
                params.put(s.name(), torchOwned(m.create(values, s.shape()), m, s.name()));
            }
            return new ClipModel(config, m, params);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A copy in PyTorch's own memory, so the JVM direct buffer it was made from can go (see Qwen2VLModel). */
    private static NDArray torchOwned(NDArray array, NDManager manager, String name) {
        NDArray copy = array.duplicate();
        copy.attach(manager);
        array.close();
        copy.setName(name);
        return copy;
    }

    public ClipConfig config() {
        return config;
    }

    /** All parameters by OpenCLIP name, in OpenCLIP's order. */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** The parameters that train: all but the image tower's when it is locked. */
    public Map<String, NDArray> trainableParameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((n, p) -> {
            if (!(imageTowerLocked && ClipParameters.towerOf(n) == ClipParameters.Tower.IMAGE)) {
                out.put(n, p);
            }
        });
        return out;
    }

    /** Freezes (or unfreezes) the whole image tower, as LiT and OpenCLIP's {@code --lock-image} do. */
    public void lockImageTower(boolean lock) {
        imageTowerLocked = lock;
        params.forEach((n, p) -> {
            if (ClipParameters.towerOf(n) == ClipParameters.Tower.IMAGE) {
                p.setRequiresGradient(!lock);
            }
        });
    }

    public boolean imageTowerLocked() {
        return imageTowerLocked;
    }

    /** How many numbers the model holds. */
    public long parameterCount() {
        return params.values().stream().mapToLong(p -> p.getShape().size()).sum();
    }

    // ---------------------------------------------------------------- image tower

    /**
     * Image features before normalisation.
     *
     * @param pixels {@code [B, 3, S, S]} preprocessed images ({@link ClipImageProcessor}), in {@code step}
     * @return {@code [B, embed_dim]}
     */
    public NDArray imageFeatures(NDArray pixels, NDManager step) {
        ClipConfig.VisionConfig v = config.vision();
        Shape shape = pixels.getShape();
        int s = v.imageSize();
        if (shape.dimension() != 4 || shape.get(1) != 3 || shape.get(2) != s || shape.get(3) != s) {
            throw new ModelException("images must be [B, 3, " + s + ", " + s + "], got " + shape);
        }
        long b = shape.get(0);
        int p = v.patchSize();
        int g = v.grid();
        int w = v.width();
        // the conv with kernel = stride = patch is a matmul over each patch flattened as (channel, row, column)
        // the images may live in an outer manager: results of ops on them would land there, so start from a view
        // attached to the step
        NDArray view = pixels.reshape(b, 3, g, p, g, p);
        view.attach(step);
        NDArray patches = view.transpose(0, 2, 4, 1, 3, 5).reshape(b, (long) g * g, 3L * p * p);
        NDArray x = Nn.linear(patches, Nn.reshapeParameter(param("visual.conv1.weight"), new Shape(w, 3L * p * p),
                step), null);
        NDArray cls = Nn.reshapeParameter(param("visual.class_embedding"), new Shape(1, 1, w), step)
                .broadcast(new Shape(b, 1, w));
        x = cls.concat(x, 1).add(param("visual.positional_embedding"));
        if (v.lnPre()) {
            x = Nn.layerNorm(x, param("visual.ln_pre.weight"), param("visual.ln_pre.bias"), v.layerNormEps());
        }
        x = transformer(x, "visual.transformer", v.layers(), v.heads(), v.layerScale() != null, null,
                v.layerNormEps());
        NDArray pooled;
        boolean normFirst = !v.finalLnAfterPool() && v.pool() == ClipConfig.VisionPool.AVG;
        if (normFirst) {
            x = Nn.layerNorm(x, param("visual.ln_post.weight"), param("visual.ln_post.bias"), v.layerNormEps());
        }
        pooled = v.pool() == ClipConfig.VisionPool.TOK ? x.get(new NDIndex(":, 0"))
                : x.get(new NDIndex(":, 1:")).mean(new int[] {1});
        if (!normFirst) {
            // LayerNorm acts per token, so norming the pooled class token equals norming all tokens first
            pooled = Nn.layerNorm(pooled, param("visual.ln_post.weight"), param("visual.ln_post.bias"),
                    v.layerNormEps());
        }
        return pooled.matMul(param("visual.proj"));
    }

    /** L2-normalised image embeddings {@code [B, embed_dim]}. */
    public NDArray imageEmbeddings(NDArray pixels, NDManager step) {
        return Nn.l2Normalize(imageFeatures(pixels, step));
    }

    // ---------------------------------------------------------------- text tower

    /**
     * Text features before normalisation.
     *
     * @param ids token rows as {@link ClipTokenizer#encode} makes them, at most {@code context_length} long; with
     *     causal attention only the columns up to the last pooled position are computed (the rest cannot change
     *     the result)
     * @return {@code [B, embed_dim]}
     */
    public NDArray textFeatures(long[][] ids, NDManager step) {
        ClipConfig.TextConfig t = config.text();
        int b = ids.length;
        if (b == 0) {
            throw new ModelException("no texts to encode");
        }
        int c = ids[0].length;
        if (c == 0 || c > t.contextLength()) {
            throw new ModelException("token rows must hold 1.." + t.contextLength() + " ids, got " + c);
        }
        int[] pool = new int[b];
        int used = 0;
        for (int i = 0; i < b; i++) {
            if (ids[i].length != c) {
                throw new ModelException("token rows differ in length: row 0 has " + c + ", row " + i + " has "
                        + ids[i].length);
            }
            for (int j = 0; j < c; j++) {
                if (ids[i][j] < 0 || ids[i][j] >= t.vocabSize()) {
                    throw new ModelException("token id " + ids[i][j] + " at row " + i + ", column " + j
                            + " is outside the vocabulary (size " + t.vocabSize() + ")");
                }
            }
            pool[i] = poolIndex(ids[i], t);
            used = Math.max(used, pool[i] + 1);
        }
        int len = t.causal() && t.pool() != ClipConfig.TextPool.LAST ? used : c;
        long[] flat = new long[b * len];
        for (int i = 0; i < b; i++) {
            System.arraycopy(ids[i], 0, flat, i * len, len);
        }
        NDArray idArray = step.create(flat, new Shape(b, len));
        NDArray x = Embedding.embedding(idArray, param("token_embedding.weight"), SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray positions = param("positional_embedding").get(new NDIndex(":{}", len));
        positions.attach(step);
        x = x.add(positions);
        NDArray mask = t.causal() ? causalMask(len, step) : null;
        x = transformer(x, "transformer", t.layers(), t.heads(), t.layerScale() != null, mask, t.layerNormEps());
        long[] rows = new long[b];
        for (int i = 0; i < b; i++) {
            rows[i] = (long) i * len + pool[i];
        }
        NDArray pooled = Nn.rows(x.reshape((long) b * len, t.width()), rows);
        pooled = Nn.layerNorm(pooled, param("ln_final.weight"), param("ln_final.bias"), t.layerNormEps());
        if (!t.projection()) {
            return pooled;
        }
        if (t.projectionBias()) {
            return Nn.linear(pooled, param("text_projection.weight"), param("text_projection.bias"));
        }
        return pooled.matMul(param("text_projection"));
    }

    /** L2-normalised text embeddings {@code [B, embed_dim]}. */
    public NDArray textEmbeddings(long[][] ids, NDManager step) {
        return Nn.l2Normalize(textFeatures(ids, step));
    }

    /** The column a row is pooled at, as OpenCLIP's {@code text_global_pool} picks it. */
    static int poolIndex(long[] row, ClipConfig.TextConfig t) {
        switch (t.pool()) {
            case FIRST:
                return 0;
            case LAST:
                return row.length - 1;
            case EOS:
                for (int j = 0; j < row.length; j++) {
                    if (row[j] == t.eosId()) {
                        return j;
                    }
                }
                return 0; // torch's argmax over an all-false row
            default:
                int best = 0;
                for (int j = 1; j < row.length; j++) {
                    if (row[j] > row[best]) {
                        best = j;
                    }
                }
                return best;
        }
    }

    private static NDArray causalMask(int len, NDManager step) {
        float[] m = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = i + 1; j < len; j++) {
                m[i * len + j] = Nn.MASKED;
            }
        }
        return step.create(m, new Shape(len, len));
    }

    // ---------------------------------------------------------------- shared

    /** Pre-LN residual blocks: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}, optional layer scale. */
    private NDArray transformer(NDArray x, String prefix, int layers, int heads, boolean layerScale, NDArray mask,
            double eps) {
        Shape s = x.getShape();
        long b = s.get(0);
        long n = s.get(1);
        long w = s.get(2);
        long hd = w / heads;
        NDArray scale = x.getManager().create((float) (1.0 / Math.sqrt(hd)));
        for (int i = 0; i < layers; i++) {
            String p = prefix + ".resblocks." + i + ".";
            NDArray h = Nn.layerNorm(x, param(p + "ln_1.weight"), param(p + "ln_1.bias"), eps);
            NDArray qkv = Nn.linear(h, param(p + "attn.in_proj_weight"), param(p + "attn.in_proj_bias"))
                    .reshape(b, n, 3, heads, hd).transpose(2, 0, 3, 1, 4);
            NDArray attn = Nn.attention(qkv.get(0), qkv.get(1), qkv.get(2), mask, scale)
                    .transpose(0, 2, 1, 3).reshape(b, n, w);
            NDArray out = Nn.linear(attn, param(p + "attn.out_proj.weight"), param(p + "attn.out_proj.bias"));
            x = x.add(layerScale ? out.mul(param(p + "ls_1.gamma")) : out);
            h = Nn.layerNorm(x, param(p + "ln_2.weight"), param(p + "ln_2.bias"), eps);
            h = Nn.linear(h, param(p + "mlp.c_fc.weight"), param(p + "mlp.c_fc.bias"));
            h = config.quickGelu() ? Nn.quickGelu(h) : Nn.gelu(h);
            h = Nn.linear(h, param(p + "mlp.c_proj.weight"), param(p + "mlp.c_proj.bias"));
            x = x.add(layerScale ? h.mul(param(p + "ls_2.gamma")) : h);
        }
        return x;
    }

    /** {@code exp(logit_scale)}, the temperature that multiplies cosine similarities, attached to {@code step}. */
    public NDArray logitScale(NDManager step) {
        NDArray e = param(ClipParameters.LOGIT_SCALE).exp();
        e.attach(step);
        return e;
    }

    /** The current {@code logit_scale} (before exp). */
    public double logitScaleValue() {
        return param(ClipParameters.LOGIT_SCALE).getFloat();
    }

    /**
     * Clamps {@code logit_scale} into {@code [0, max]} in place, as OpenCLIP does after each update
     * ({@code max = ln 100}).
     */
    public void clampLogitScale(double max) {
        NDArray p = param(ClipParameters.LOGIT_SCALE);
        double v = p.getFloat();
        double clamped = Math.max(0, Math.min(max, v));
        if (clamped != v) {
            boolean was = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                p.subi((float) (v - clamped)); // in place, so the optimiser keeps its array
            } finally {
                JniUtils.setGradMode(was);
            }
        }
    }

    // ---------------------------------------------------------------- saving

    /** All parameters under OpenCLIP's names, ready to write as {@code open_clip_model.safetensors}. */
    public SafetensorsWriter weights() {
        SafetensorsWriter w = new SafetensorsWriter();
        params.forEach(w::put);
        return w;
    }

    /**
     * Writes {@code open_clip_config.json} and {@code open_clip_model.safetensors} into {@code dir} (OpenCLIP's
     * layout: {@code open_clip.create_model("local-dir:DIR")} loads it). Other files there are left as they are;
     * write into a temporary folder and rename it ({@code AtomicFiles.writeFolder}) for an atomic save.
     */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            weights().write(dir.resolve(ClipConfig.OPEN_CLIP_WEIGHTS));
            Files.writeString(dir.resolve(ClipConfig.OPEN_CLIP_CONFIG),
                    Json.PRETTY.writeValueAsString(config.toOpenClipJson()) + "\n");
        } catch (IOException e) {
            throw new ModelException("cannot save the CLIP model to " + dir + ": " + e.getMessage(), e);
        }
    }

    private NDArray param(String name) {
        NDArray p = params.get(name);
        if (p == null) {
            throw new ModelException("this CLIP model has no parameter '" + name + "'");
        }
        return p;
    }

    @Override
    public void close() {
        manager.close();
    }
}

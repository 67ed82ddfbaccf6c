package org.pathoreason.model.qwen2vl;

import org.pathoreason.engine.GradientRecording;
import org.pathoreason.engine.Scalars;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.LowRankBranches;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.ParameterGroup;
import org.pathoreason.model.PromptedCompletions;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.WeightPrecision;
import org.pathoreason.model.half.HalfKernels;
import org.pathoreason.model.half.MappedWeights;
import org.pathoreason.model.io.CheckpointContents;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.SafetensorsException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.io.SafetensorsWriter;
import org.pathoreason.model.io.TensorInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Qwen2.5-VL on DJL: the vision tower, patch merger and language model of the published architecture, with its
 * parameters held as float32 NDArrays under the published tensor names.
 *
 * <pre>{@code
 * try (NDManager root = Engines.newManager();
 *      Qwen2VLModel model = Qwen2VLModel.load(checkpointDir, root)) {
 *     model.setFrozen(ParameterGroup.VISION, true);
 *     try (NDManager step = root.newSubManager();
 *          GradientCollector gc = GradientRecording.open()) {
 *         NDArray logProbs = model.tokenLogProbs(input, promptLength, step);
 *         gc.backward(loss(logProbs));
 *     }
 * }
 * }</pre>
 * See {@link VisionLanguageModel} for the memory rules.
 */
public final class Qwen2VLModel implements VisionLanguageModel {

    private static final Logger LOG = LoggerFactory.getLogger(Qwen2VLModel.class);
    /** Shard size when saving, as transformers' default {@code max_shard_size} of 5 GB. */
    private static final long SHARD_BYTES = 5_000_000_000L;

    private final Qwen2VLConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private final Map<String, ParameterGroup> groups;
    private final EnumSet<ParameterGroup> frozen = EnumSet.noneOf(ParameterGroup.class);
    /** The linear maps by {@link #linearKeys} key (low-rank branches wrap some of them). */
    private final Map<String, Linear> linears;
    private VisionTower vision;
    private TextDecoder text;
    private final Branches branches = new Branches();
    /** The memory-mapped checkpoint of a 16-bit model ({@link WeightPrecision#HALF}); null for a float32 one. */
    private final MappedWeights mapped;
    private final Footprint footprint;

    /**
     * One linear map of the model (or maps fused over the same input): the key {@link TextDecoder} and
     * {@link VisionTower} find it by, its weights' and biases' parameter names (biases null when it has none).
     */
    record LinearSpec(String key, List<String> weights, List<String> biases) {
    }

    /**
     * The model's linear maps: q/k/v and gate/up fused, the others alone; the embedding table is one (its rows are
     * looked up) and {@code lm_head} another when the embeddings are not tied.
     */
    static List<LinearSpec> linearKeys(Qwen2VLConfig config) {
        List<LinearSpec> out = new ArrayList<>();
        for (int i = 0; i < config.vision().depth(); i++) {
            String p = "visual.blocks." + i + ".";
            out.add(single(p + "attn.qkv", true));
            out.add(single(p + "attn.proj", true));
            out.add(new LinearSpec(p + "mlp.gate_up", List.of(p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"),
                    List.of(p + "mlp.gate_proj.bias", p + "mlp.up_proj.bias")));
            out.add(single(p + "mlp.down_proj", true));
        }
        out.add(single("visual.merger.mlp.0", true));
        out.add(single("visual.merger.mlp.2", true));
        out.add(single("model.embed_tokens", false));
        for (int l = 0; l < config.text().numLayers(); l++) {
            String p = "model.layers." + l + ".";
            out.add(new LinearSpec(p + "self_attn.qkv", List.of(p + "self_attn.q_proj.weight",
                    p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"), List.of(p + "self_attn.q_proj.bias",
                    p + "self_attn.k_proj.bias", p + "self_attn.v_proj.bias")));
            out.add(single(p + "self_attn.o_proj", false));
            out.add(new LinearSpec(p + "mlp.gate_up", List.of(p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"),
                    null));
            out.add(single(p + "mlp.down_proj", false));
        }
        if (!config.text().tieWordEmbeddings()) {
            out.add(single("lm_head", false));
        }
        return out;
    }

    private static LinearSpec single(String key, boolean bias) {
        return new LinearSpec(key, List.of(key + ".weight"), bias ? List.of(key + ".bias") : null);
    }

    /** What the model holds: its parameters' count and bytes, and how ("float32" or the mapped dtypes). */
    public record Footprint(long parameters, long bytes, String storage) {
    }

    /** A float32 model over {@code params} (every parameter), trainable. */
    private Qwen2VLModel(Qwen2VLConfig config, NDManager manager, Map<String, NDArray> params) {
        this(config, manager, params, null, float32Linears(config, params, manager));
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
    }

    /** Float32 linear maps over {@code params}: q/k/v and gate/up fused (their parameters become aliases). */
    private static Map<String, Linear> float32Linears(Qwen2VLConfig config, Map<String, NDArray> params,
                                                      NDManager manager) {
        Map<String, Linear> linears = new HashMap<>();
        for (LinearSpec spec : linearKeys(config)) {
            String w = spec.weights().get(0);
            Linear l = spec.weights().size() > 1 ? Fused.of(params, spec.weights(), spec.biases(), manager)
                    : Linear.of(params.get(w), spec.biases() == null ? null : params.get(spec.biases().get(0)));
            linears.put(spec.key(), l);
        }
        return linears;
    }

    private Qwen2VLModel(Qwen2VLConfig config, NDManager manager, Map<String, NDArray> params, MappedWeights mapped,
                         Map<String, Linear> linears) {
        this.config = config;
        this.manager = manager;
        this.mapped = mapped;
        this.groups = new HashMap<>();
        long count = 0;
        long bytes = 0;
        for (Qwen2VLParameters.Spec s : Qwen2VLParameters.specs(config)) {
            groups.put(s.name(), s.group());
            count += s.shape().size();
        }
        for (NDArray p : params.values()) {
            bytes += p.getShape().size() * p.getDataType().getNumOfBytes();
        }
        java.util.TreeSet<String> dtypes = new java.util.TreeSet<>();
        for (Linear l : linears.values()) {
            if (l instanceof Linear.Mapped m) {
                bytes += m.byteSize();
                dtypes.add(m.dtypes());
            }
        }
        this.footprint = new Footprint(count, bytes, mapped == null ? "float32 in PyTorch"
                : String.join("+", dtypes) + " memory-mapped (" + mapped.kernels().description() + "), the rest float32");
        this.params = Collections.unmodifiableMap(params);
        this.linears = new HashMap<>(linears);
        buildForward();
    }

    /** The vision tower and the decoder over the current linear maps (again after branches are added). */
    private void buildForward() {
        float[] visionFreq = Nn.inverseFrequencies(manager, 10000.0, config.vision().headDim() / 2);
        float[] textFreq = Nn.inverseFrequencies(manager, config.text().ropeTheta(), config.text().headDim());
        this.vision = new VisionTower(config.vision(), params, linears, visionFreq, manager);
        this.text = new TextDecoder(config.text(), params, linears, textFreq, manager);
    }

    /**
     * A randomly initialised model, as transformers initialises one: weights normal(0, initializer_range), biases
     * zero, norms one. The same seed gives the same weights on every machine (drawn on the host).
     */
    public static Qwen2VLModel random(Qwen2VLConfig config, long seed, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            Map<String, NDArray> params = new LinkedHashMap<>();
            List<Qwen2VLParameters.Spec> specs = Qwen2VLParameters.specs(config);
            SplittableRandom[] rngs = RandomWeights.generators(specs, seed);
            for (int k = 0; k < specs.size(); k++) {
                Qwen2VLParameters.Spec s = specs.get(k);
                NDArray a = switch (s.init()) {
                    case ONE -> m.ones(s.shape());
                    case ZERO -> m.zeros(s.shape());
                    case NORMAL -> normal(s.shape(), RandomWeights.std(config, s), rngs[k], m);
                };
                a.setName(s.name());
                params.put(s.name(), a);
            }
            return new Qwen2VLModel(config, m, params);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Loads a checkpoint directory: {@code config.json} plus {@code model.safetensors} or shards with
     * {@code model.safetensors.index.json}. Tensor names of both published layouts are accepted; F16/BF16 are
     * widened to float32.
     */
    public static Qwen2VLModel load(Path dir, NDManager parent) {
        return load(dir, parent, WeightPrecision.FLOAT32);
    }

    /**
     * Loads a checkpoint directory with its weights held as {@code precision} says: {@link WeightPrecision#HALF}
     * (and {@link WeightPrecision#AUTO} when the language model's weights are stored as BF16 or F16) maps the
     * shards and keeps every weight matrix where it lies, in its stored type; {@link WeightPrecision#FLOAT32}
     * widens everything into PyTorch.
     */
    public static Qwen2VLModel load(Path dir, NDManager parent, WeightPrecision precision) {
        Qwen2VLConfig config = Qwen2VLConfig.read(dir);
        if (precision != WeightPrecision.FLOAT32) {
            MappedWeights weights = null;
            try {
                weights = MappedWeights.open(dir, HalfKernels.get());
                if (precision == WeightPrecision.HALF || storedInHalf(weights.reader())) {
                    return fromMapped(config, weights, parent);
                }
            } catch (RuntimeException e) {
                if (weights != null) {
                    weights.close();
                }
                throw e instanceof SafetensorsException ? new ModelException(e.getMessage(), e) : e;
            }
            weights.close();
        }
        try (SafetensorsReader reader = SafetensorsReader.open(dir)) {
            return fromReader(config, reader, parent);
        } catch (SafetensorsException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    /** Whether the embedding table (the largest matrix, the language model's dtype) is stored as BF16 or F16. */
    private static boolean storedInHalf(SafetensorsReader reader) {
        for (String name : reader.names()) {
            if (Qwen2VLParameters.canonicalName(name).equals("model.embed_tokens.weight")) {
                DType t = reader.info(name).dtype();
                return t == DType.BF16 || t == DType.F16;
            }
        }
        return false; // fromReader names the missing tensor
    }

    /**
     * A 16-bit model over mapped weights: every 2-D matrix of {@link #linearKeys} stays in the files, the rest
     * (norms, biases, the patch embedding: about 0.1 % of the weights) is widened to float32. Closing the model
     * unmaps the files.
     */
    private static Qwen2VLModel fromMapped(Qwen2VLConfig config, MappedWeights weights, NDManager parent) {
        SafetensorsReader reader = weights.reader();
        Map<String, String> byCanonical = storedNames(reader);
        List<Qwen2VLParameters.Spec> specs = Qwen2VLParameters.specs(config);
        checkPresent(reader, byCanonical, specs);
        java.util.Set<String> matrices = new java.util.HashSet<>();
        for (LinearSpec spec : linearKeys(config)) {
            matrices.addAll(spec.weights());
        }
        NDManager m = parent.newSubManager();
        try {
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, org.pathoreason.model.half.WeightMatrix> mats = new HashMap<>();
            for (Qwen2VLParameters.Spec s : specs) {
                String stored = byCanonical.get(s.name());
                checkTensor(reader, stored, s);
                if (matrices.contains(s.name())) {
                    mats.put(s.name(), weights.matrix(stored));
                } else {
                    NDArray a = reader.toNDArray(stored, m);
                    a.setName(s.name());
                    params.put(s.name(), a);
                }
            }
            warnUnused(reader, byCanonical, specs);
            Map<String, Linear> linears = new HashMap<>();
            for (LinearSpec spec : linearKeys(config)) {
                List<org.pathoreason.model.half.WeightMatrix> parts = new ArrayList<>();
                for (String w : spec.weights()) {
                    parts.add(mats.get(w));
                }
                NDArray bias = null;
                if (spec.biases() != null) {
                    NDList bs = new NDList();
                    for (String b : spec.biases()) {
                        bs.add(params.get(b));
                    }
                    bias = bs.size() == 1 ? bs.get(0) : NDArrays.concat(bs, 0);
                    bias.attach(m);
                }
                linears.put(spec.key(), new Linear.Mapped(weights.kernels(), parts, bias));
            }
            return new Qwen2VLModel(config, m, params, weights, linears);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Whether this model holds 16-bit memory-mapped weights ({@link WeightPrecision#HALF}): inference only.
     */
    public boolean isMapped() {
        return mapped != null;
    }

    /** Its parameters' count and bytes in memory, and how they are held. */
    public Footprint footprint() {
        return footprint;
    }

    /**
     * Bytes of weights one decoding step reads: every language-model matrix and {@code lm_head} (the embedding
     * table when tied), at the precision they are held in. The memory-bandwidth floor of decode is this over the
     * read bandwidth.
     */
    public long decodeWeightBytes() {
        long bytes = 0;
        Qwen2VLConfig.TextConfig t = config.text();
        int size = mapped == null ? 4 : -1;
        for (Qwen2VLParameters.Spec s : Qwen2VLParameters.specs(config)) {
            boolean lm = s.name().startsWith("model.layers.") && s.shape().dimension() == 2;
            boolean head = s.name().equals(t.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
            if (lm || head) {
                bytes += s.shape().size() * (size > 0 ? size : mapped.reader().info(storedName(s.name()))
                        .dtype().byteSize());
            }
        }
        return bytes;
    }

    private String storedName(String canonical) {
        for (String name : mapped.reader().names()) {
            if (Qwen2VLParameters.canonicalName(name).equals(canonical)) {
                return name;
            }
        }
        throw new ModelException("no tensor '" + canonical + "'");
    }

    private void refuseMapped(String what) {
        if (mapped != null) {
            throw new ModelException("this Qwen2.5-VL model holds 16-bit memory-mapped weights for inference "
                    + "(WeightPrecision.HALF, the default for a BF16/F16 checkpoint): it cannot " + what + "; open the "
                    + "checkpoint with CheckpointBundle.Options.weights(WeightPrecision.FLOAT32)");
        }
    }

    /** Rows of host values drawn and copied into PyTorch's memory at a time (a few MB of direct memory). */
    private static final long RANDOM_CHUNK = 1 << 22;

    /**
     * normal(0, std) values drawn on the host in order, written chunk by chunk into an array in PyTorch's memory.
     * DJL wraps a JVM direct buffer for every array created from Java data; chunks keep that buffer small rather
     * than as large as the tensor.
     */
    private static NDArray normal(Shape shape, double std, SplittableRandom rng, NDManager manager) {
        NDArray out = manager.zeros(shape);
        long rows = shape.dimension() == 0 ? 1 : shape.get(0);
        long rowSize = shape.size() / Math.max(1, rows);
        long rowsPerChunk = Math.max(1, RANDOM_CHUNK / Math.max(1, rowSize));
        for (long r = 0; r < rows; r += rowsPerChunk) {
            long n = Math.min(rowsPerChunk, rows - r);
            float[] values = new float[Math.toIntExact(n * rowSize)];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (rng.nextGaussian() * std);
            }
            long[] dims = shape.getShape().clone();
            if (dims.length > 0) {
                dims[0] = n;
            }
            try (NDArray chunk = manager.create(values, new Shape(dims))) {
                if (dims.length == 0) {
                    out.set(new NDIndex("..."), chunk);
                } else {
                    out.set(new NDIndex("{}:{}", r, r + n), chunk);
                }
            }
        }
        return out;
    }

    /** Builds a model of {@code config} from the tensors of an open reader (names of either layout). */
    public static Qwen2VLModel fromReader(Qwen2VLConfig config, SafetensorsReader reader, NDManager parent)
            throws SafetensorsException {
        Map<String, String> byCanonical = storedNames(reader);
        List<Qwen2VLParameters.Spec> specs = Qwen2VLParameters.specs(config);
        checkPresent(reader, byCanonical, specs);
        NDManager m = parent.newSubManager();
        try {
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (Qwen2VLParameters.Spec s : specs) {
                String stored = byCanonical.get(s.name());
                checkTensor(reader, stored, s);
                NDArray a = reader.toNDArray(stored, m); // in PyTorch's memory, not a JVM buffer
                a.setName(s.name());
                params.put(s.name(), a);
            }
            warnUnused(reader, byCanonical, specs);
            return new Qwen2VLModel(config, m, params);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Stored tensor name by canonical name (either published layout). */
    private static Map<String, String> storedNames(SafetensorsReader reader) {
        Map<String, String> byCanonical = new HashMap<>();
        for (String name : reader.names()) {
            String canonical = Qwen2VLParameters.canonicalName(name);
            String previous = byCanonical.put(canonical, name);
            if (previous != null) {
                throw new ModelException(reader.source() + ": tensors '" + previous + "' and '" + name
                        + "' are the same parameter '" + canonical + "'");
            }
        }
        return byCanonical;
    }

    private static void checkPresent(SafetensorsReader reader, Map<String, String> byCanonical,
                                     List<Qwen2VLParameters.Spec> specs) {
        List<String> missing = new ArrayList<>();
        for (Qwen2VLParameters.Spec s : specs) {
            if (!byCanonical.containsKey(s.name())) {
                missing.add(s.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new ModelException(reader.source() + ": missing tensor '" + missing.get(0) + "'"
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : ""));
        }
    }

    private static void checkTensor(SafetensorsReader reader, String stored, Qwen2VLParameters.Spec s) {
        TensorInfo info = reader.info(stored);
        if (!info.dtype().isFloatingPoint()) {
            throw new ModelException(reader.source() + ": tensor '" + stored + "' has dtype "
                    + info.dtype().safetensorsName() + "; expected a float type (F32, F16 or BF16)");
        }
        Shape found = new Shape(info.shape());
        if (!found.equals(s.shape())) {
            throw new ModelException(reader.source() + ": tensor '" + stored + "' has shape " + found
                    + ", expected " + s.shape() + " from config.json");
        }
    }

    private static void warnUnused(SafetensorsReader reader, Map<String, String> byCanonical,
                                   List<Qwen2VLParameters.Spec> specs) {
        java.util.Set<String> known = new java.util.HashSet<>();
        for (Qwen2VLParameters.Spec s : specs) {
            known.add(s.name());
        }
        int unused = 0;
        for (String canonical : byCanonical.keySet()) {
            if (!known.contains(canonical)) {
                unused++;
                if (!canonical.equals("lm_head.weight")) {
                    LOG.warn("{}: tensor '{}' is not a parameter of this model and was ignored", reader.source(),
                            byCanonical.get(canonical));
                }
            }
        }
        LOG.debug("{} tensors ignored in {}", unused, reader.source());
    }

    /**
     * Writes {@code config.json} and the float32 weights (sharded past 5 GB) into {@code dir}; other files there
     * (tokenizer, preprocessor config) are left as they are. Use {@link #saveCheckpoint} for a complete,
     * atomically written checkpoint directory.
     */
    @Override
    public void save(Path dir) {
        refuseMapped("be saved");
        try {
            Files.createDirectories(dir);
            weights().metadata(Map.of("format", "pt")).writeSharded(dir, SHARD_BYTES);
            config.write(dir.resolve("config.json"));
        } catch (IOException e) {
            throw new ModelException("cannot save the model to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a complete checkpoint directory atomically (see {@link CheckpointDir#write}): this model's
     * {@code config.json} and weights plus what {@code rest} carries (provenance, required; tokenizer files,
     * preprocessor and generation configs).
     */
    @Override
    public void saveCheckpoint(Path dir, CheckpointContents rest) {
        saveCheckpoint(dir, rest, DType.F32);
    }

    /**
     * As {@link #saveCheckpoint(Path, CheckpointContents)} with the weights stored as {@code dtype} (F32, or BF16
     * as the published checkpoints are, which halves the file and the writer's memory; rounding to nearest even).
     */
    public void saveCheckpoint(Path dir, CheckpointContents rest, DType dtype) {
        refuseMapped("be saved");
        try {
            CheckpointDir.write(dir, rest.config(config.toJson()).weights(weights(dtype)));
        } catch (IOException e) {
            throw new ModelException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** All parameters as float32 tensors under their published names, ready to write. */
    public SafetensorsWriter weights() {
        return weights(DType.F32);
    }

    /** All parameters under their published names, stored as {@code dtype} (F32, F16 or BF16). */
    public SafetensorsWriter weights(DType dtype) {
        refuseMapped("write its weights");
        if (!dtype.isFloatingPoint()) {
            throw new ModelException("weights are stored as F32, F16 or BF16, not " + dtype.safetensorsName());
        }
        SafetensorsWriter writer = new SafetensorsWriter();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            writer.put(e.getKey(), dtype, e.getValue());
        }
        return writer;
    }

    public Qwen2VLConfig config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.text().vocabSize();
    }

    @Override
    public long imageTokenId() {
        return config.tokens().imageTokenId();
    }

    @Override
    public java.util.Set<Long> reservedTokenIds() {
        return java.util.Set.of((long) config.tokens().imageTokenId(), (long) config.tokens().videoTokenId());
    }

    /**
     * Every parameter, float32, by published name. A 16-bit model ({@link #isMapped}) refuses: its weight matrices
     * are not arrays (see {@link #footprint} for its size).
     */
    @Override
    public Map<String, NDArray> parameters() {
        refuseMapped("hand out its parameters (training, merging an adapter)");
        return params;
    }

    @Override
    public Map<String, NDArray> trainableParameters() {
        refuseMapped("be trained");
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            if (!frozen.contains(groups.get(name))) {
                out.put(name, p);
            }
        });
        branches.named.forEach(out::put);
        return out;
    }

    @Override
    public ParameterGroup groupOf(String parameterName) {
        ParameterGroup g = groups.get(parameterName);
        if (g == null && branches.named.containsKey(parameterName)) {
            g = groups.get(branches.weightOf.get(parameterName));
        }
        if (g == null) {
            throw new ModelException("no parameter named '" + parameterName + "'");
        }
        return g;
    }

    @Override
    public void setFrozen(ParameterGroup group, boolean freeze) {
        if (!freeze) {
            refuseMapped("be trained");
        }
        if (freeze) {
            frozen.add(group);
        } else {
            frozen.remove(group);
        }
        params.forEach((name, p) -> {
            if (groups.get(name) == group) {
                p.setRequiresGradient(!freeze);
            }
        });
    }

    @Override
    public void zeroGradients() {
        for (NDArray p : params.values()) {
            // grad.zero_() in place, no-op without a gradient; DJL's getGradient() would leak a handle there
            JniUtils.zeroGrad((PtNDArray) p);
        }
        for (NDArray p : branches.named.values()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }

    @Override
    public boolean isFrozen(ParameterGroup group) {
        return frozen.contains(group);
    }

    @Override
    public LowRankBranches lowRank() {
        return branches;
    }

    /** The low-rank branches of this model's linear maps (see {@link LowRankBranches}). */
    private final class Branches implements LowRankBranches {
        private final List<Branch> added = new ArrayList<>();
        /** Branch arrays by name, and the weight each belongs to. */
        private final Map<String, NDArray> named = new LinkedHashMap<>();
        private final Map<String, String> weightOf = new HashMap<>();
        private volatile boolean enabled = true;

        @Override
        public Map<String, long[]> adaptable() {
            Map<String, Shape> shapes = new HashMap<>();
            for (Qwen2VLParameters.Spec s : Qwen2VLParameters.specs(config)) {
                shapes.put(s.name(), s.shape());
            }
            Map<String, long[]> out = new LinkedHashMap<>();
            for (LinearSpec spec : linearKeys(config)) {
                if (!spec.key().equals("model.embed_tokens")) {
                    for (String w : spec.weights()) {
                        out.put(w, shapes.get(w).getShape());
                    }
                }
            }
            return out;
        }

        @Override
        public List<Branch> add(List<Spec> specs) {
            refuseMapped("take trainable low-rank branches (the 16-bit products pass no gradient to their input)");
            if (!added.isEmpty()) {
                throw new ModelException("this model already has low-rank branches");
            }
            Map<String, long[]> adaptable = adaptable();
            Map<String, Spec> byWeight = new LinkedHashMap<>();
            for (Spec s : specs) {
                long[] shape = adaptable.get(s.weight());
                if (shape == null) {
                    throw new ModelException("'" + s.weight() + "' is not the weight of a linear map of this model "
                            + "(the embedding table cannot take a low-rank branch)");
                }
                if (s.a().length != (long) s.rank() * shape[1] || s.b().length != shape[0] * s.rank()) {
                    throw new ModelException("branch of '" + s.weight() + "': A must be [" + s.rank() + ", "
                            + shape[1] + "] and B [" + shape[0] + ", " + s.rank() + "]");
                }
                if (byWeight.put(s.weight(), s) != null) {
                    throw new ModelException("two branches for '" + s.weight() + "'");
                }
            }
            List<Branch> made = new ArrayList<>();
            for (LinearSpec spec : linearKeys(config)) {
                LowRankLinear.Part[] parts = new LowRankLinear.Part[spec.weights().size()];
                boolean any = false;
                for (int i = 0; i < parts.length; i++) {
                    Spec s = byWeight.get(spec.weights().get(i));
                    if (s == null) {
                        continue;
                    }
                    long[] shape = adaptable.get(s.weight());
                    NDArray a = trainable(s.a(), new Shape(s.rank(), shape[1]), s.nameA());
                    NDArray b = trainable(s.b(), new Shape(shape[0], s.rank()), s.nameB());
                    parts[i] = new LowRankLinear.Part(a, b, Nn.constant(manager, (float) s.scaling()),
                            (float) s.dropout());
                    made.add(new Branch(s.weight(), a, b));
                    for (String n : List.of(s.nameA(), s.nameB())) {
                        if (named.containsKey(n) || params.containsKey(n)) {
                            throw new ModelException("branch array name '" + n + "' is taken");
                        }
                    }
                    named.put(s.nameA(), a);
                    named.put(s.nameB(), b);
                    weightOf.put(s.nameA(), s.weight());
                    weightOf.put(s.nameB(), s.weight());
                    any = true;
                }
                if (any) {
                    linears.put(spec.key(), new LowRankLinear(linears.get(spec.key()), parts, () -> enabled));
                }
            }
            added.addAll(made);
            buildForward();
            return List.copyOf(made);
        }

        private NDArray trainable(float[] values, Shape shape, String name) {
            NDArray a = Nn.owned(manager.create(values, shape));
            a.setName(name);
            a.setRequiresGradient(true);
            return a;
        }

        @Override
        public List<Branch> branches() {
            return List.copyOf(added);
        }

        @Override
        public void setEnabled(boolean on) {
            enabled = on;
        }

        @Override
        public boolean isEnabled() {
            return enabled;
        }
    }

    @Override
    public NDArray logits(ModelInput input, NDManager step) {
        return text.lmHead(hidden(input, step));
    }

    @Override
    public NDArray tokenLogProbs(ModelInput input, int firstTarget, NDManager step) {
        int t = input.length();
        if (firstTarget < 1 || firstTarget >= t) {
            throw new ModelException("firstTarget must be in 1.." + (t - 1) + ", got " + firstTarget);
        }
        int shared = sharedPrefix(input, firstTarget - 1);
        NDArray hidden = shared == 0 ? hidden(input, step).get(new NDIndex(":, {}:{}", firstTarget - 1, t - 1))
                : hiddenAfterSharedPrefix(input, shared, step).get(new NDIndex(":, {}:{}", firstTarget - 1 - shared,
                        t - 1 - shared));
        NDArray logits = text.lmHead(hidden);
        NDArray logProbs = logits.logSoftmax(-1);
        logits.close(); // the graph keeps what backward needs; free the largest temporary early
        int b = input.batchSize();
        int n = t - firstTarget;
        long[] targets = new long[b * n];
        for (int i = 0; i < b; i++) {
            System.arraycopy(input.inputIds()[i], firstTarget, targets, i * n, n);
        }
        NDArray index = Nn.owned(step.create(targets, new Shape(b, n, 1)));
        return logProbs.gather(index, 2).reshape(b, n);
    }

    @Override
    public NDArray completionLogProbs(PromptedCompletions batch, double temperature, NDManager step) {
        ModelInput prompts = batch.prompts();
        int p = prompts.length();
        int rows = batch.rows();
        int width = batch.width();
        RopeIndex rope = RopeIndex.compute(prompts.inputIds(), prompts.attentionMask(), prompts.imageGrids(), config);
        TextDecoder.PromptKeys promptKeys = new TextDecoder.PromptKeys();
        NDArray promptHidden = text.layers(embeddings(prompts, step), text.rotary(rope.positions(), step),
                text.mask(prompts.attentionMask(), p, 0, p, step), promptKeys, step);
        long[] promptOf = new long[rows];
        for (int r = 0; r < rows; r++) {
            promptOf[r] = batch.promptOf()[r];
        }
        NDArray promptRows = Nn.owned(step.create(promptOf));
        // a completion's first token is predicted by its prompt's last column, the others by its own columns
        NDArray predictors = Nn.rowsOf(promptHidden.get(new NDIndex(":, {}", p - 1)), promptRows)
                .reshape(rows, 1, config.text().hiddenSize());
        if (width > 1) {
            int c = width - 1; // the last token is only a target
            long[][] ids = new long[rows][c];
            long[][][] positions = new long[3][rows][c];
            int[][] keyMask = new int[rows][p + c];
            for (int r = 0; r < rows; r++) {
                int prompt = batch.promptOf()[r];
                System.arraycopy(batch.completions()[r], 0, ids[r], 0, c);
                System.arraycopy(prompts.attentionMask()[prompt], 0, keyMask[r], 0, p);
                Arrays.fill(keyMask[r], p, p + c, 1);
                for (int j = 0; j < c; j++) {
                    long position = p + j + rope.deltas()[prompt];
                    for (int a = 0; a < 3; a++) {
                        positions[a][r][j] = position;
                    }
                }
            }
            NDArray hidden = text.layers(text.embed(ids, step), text.rotary(positions, step),
                    text.mask(keyMask, p + c, p, c, step), promptKeys.forRows(promptRows), step);
            predictors = predictors.concat(hidden, 1);
        }
        NDArray logits = text.lmHead(predictors);
        if (temperature != 1.0) {
            logits = Scalars.div(logits, (float) temperature);
        }
        NDArray logProbs = logits.logSoftmax(-1);
        logits.close(); // the graph keeps what backward needs; free the largest temporary early
        long[] targets = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(batch.completions()[r], 0, targets, r * width, width);
        }
        NDArray index = Nn.owned(step.create(targets, new Shape(rows, width, 1)));
        return logProbs.gather(index, 2).reshape(rows, width);
    }

    @Override
    public NDArray lastLogits(ModelInput input, NDManager step) {
        int t = input.length();
        return text.lmHead(hidden(input, step).get(new NDIndex(":, {}", t - 1)));
    }

    @Override
    public KvCache newCache(int batch, int capacity, NDManager parent) {
        Qwen2VLConfig.TextConfig t = config.text();
        return new KvCache(t.numLayers(), batch, t.numKvHeads(), capacity, t.headDim(), parent);
    }

    @Override
    public NDArray prefill(ModelInput prompts, int[] promptOf, KvCache cache, NDManager step) {
        if (cache.length() != 0) {
            throw new ModelException("prefill needs an empty cache (it holds " + cache.length() + " columns)");
        }
        int rows = promptOf == null ? prompts.batchSize() : promptOf.length;
        if (cache.batch() != rows) {
            throw new ModelException("cache batch " + cache.batch() + " differs from the " + rows + " rows to prefill");
        }
        int t = prompts.length();
        if (t > cache.capacity()) {
            throw new ModelException("prompt of " + t + " columns does not fit the cache capacity "
                    + cache.capacity());
        }
        for (int[] row : prompts.attentionMask()) {
            if (row[t - 1] != 1) {
                throw new ModelException("prefill needs left-padded rows (every row's last column real)");
            }
        }
        int[][] rowMask = new int[rows][];
        long[] rowPrompt = new long[rows];
        for (int r = 0; r < rows; r++) {
            int p = promptOf == null ? r : promptOf[r];
            if (p < 0 || p >= prompts.batchSize()) {
                throw new ModelException("row " + r + " points at prompt " + p + " of " + prompts.batchSize());
            }
            rowMask[r] = prompts.attentionMask()[p];
            rowPrompt[r] = p;
        }
        RopeIndex rope = RopeIndex.compute(prompts.inputIds(), prompts.attentionMask(), prompts.imageGrids(), config);
        NDArray embeds = embeddings(prompts, step);
        NDArray mask = text.mask(prompts.attentionMask(), t, 0, t, step);
        NDArray promptRows = promptOf == null ? null : Nn.owned(step.create(rowPrompt));
        TextDecoder.KeyValues write = TextDecoder.KeyValues.cached(cache, 0);
        // each prompt attends over its own columns; the cache gets a copy for every row that continues it
        TextDecoder.KeyValues keyValues = promptRows == null ? write : (layer, keys, values) -> {
            write.attend(layer, Nn.rowsOf(keys, promptRows), Nn.rowsOf(values, promptRows));
            return new NDArray[] {keys, values};
        };
        NDArray hidden = text.layers(embeds, text.rotary(rope.positions(), step), mask, keyValues, step);
        cache.advance(rowMask);
        for (int r = 0; r < rows; r++) {
            cache.positionOffsets()[r] = rope.deltas()[(int) rowPrompt[r]];
        }
        NDArray logits = text.lmHead(hidden.get(new NDIndex(":, {}", t - 1)));
        return promptRows == null ? logits : Nn.rowsOf(logits, promptRows);
    }

    @Override
    public NDArray decode(long[] tokens, KvCache cache, NDManager step) {
        int b = cache.batch();
        if (tokens.length != b) {
            throw new ModelException("decode needs one token per row: " + b + " rows, " + tokens.length + " tokens");
        }
        if (cache.length() == 0) {
            throw new ModelException("decode needs a prefilled cache");
        }
        int start = cache.length();
        long[][] ids = new long[b][1];
        long[][][] positions = new long[3][b][1];
        int[][] column = new int[b][1];
        for (int i = 0; i < b; i++) {
            ids[i][0] = tokens[i];
            column[i][0] = 1;
            for (int a = 0; a < 3; a++) {
                positions[a][i][0] = start + cache.positionOffsets()[i];
            }
        }
        cache.advance(column);
        NDArray embeds = text.embed(ids, step);
        NDArray mask = text.mask(cache.mask(), start + 1, start, 1, step);
        NDArray hidden = text.layers(embeds, text.rotary(positions, step), mask,
                TextDecoder.KeyValues.cached(cache, start), step);
        return text.lmHead(hidden.get(new NDIndex(":, 0")));
    }

    /** The vision tower's merged output {@code [tokens, H]} for the images' patches (what fills the pad tokens). */
    NDArray visionFeatures(float[] pixelPatches, List<int[]> grids, NDManager step) {
        return vision.forward(pixelPatches, grids, step);
    }

    /** Final-norm hidden states {@code [B, T, H]} of a whole batch (no cache). */
    private NDArray hidden(ModelInput input, NDManager step) {
        int t = input.length();
        RopeIndex rope = RopeIndex.compute(input.inputIds(), input.attentionMask(), input.imageGrids(), config);
        NDArray embeds = embeddings(input, step);
        NDArray mask = text.mask(input.attentionMask(), t, 0, t, step);
        return text.layers(embeds, text.rotary(rope.positions(), step), mask, TextDecoder.KeyValues.NEW_ONLY, step);
    }

    /** Shortest common prefix worth running once for a whole batch (columns). */
    static final int MIN_SHARED_PREFIX = 8;

    /**
     * The columns every row of a training batch begins with (the chat template and system prompt before the
     * image, in SFT and pretraining batches): the longest run of equal tokens from column 0, real in every row and
     * before any vision token, at most {@code limit} columns; 0 when shorter than {@link #MIN_SHARED_PREFIX} or for
     * a single row.
     */
    private int sharedPrefix(ModelInput input, int limit) {
        long[][] ids = input.inputIds();
        int[][] mask = input.attentionMask();
        if (ids.length < 2) {
            return 0;
        }
        Qwen2VLConfig.SpecialTokenIds tokens = config.tokens();
        int n = 0;
        scan:
        while (n < limit) {
            long id = ids[0][n];
            if (id == tokens.visionStartTokenId() || id == tokens.imageTokenId() || id == tokens.videoTokenId()) {
                break;
            }
            for (int r = 0; r < ids.length; r++) {
                if (ids[r][n] != id || mask[r][n] != 1) {
                    break scan;
                }
            }
            n++;
        }
        return n < MIN_SHARED_PREFIX ? 0 : n;
    }

    /**
     * Final-norm hidden states {@code [B, T - shared, H]} of the columns after a prefix all rows share, the prefix
     * run once (one row) and its keys and values attended to by every row: the values of {@link #hidden}, with
     * the prefix's gradient summed over the rows.
     */
    private NDArray hiddenAfterSharedPrefix(ModelInput input, int shared, NDManager step) {
        int b = input.batchSize();
        int t = input.length();
        RopeIndex rope = RopeIndex.compute(input.inputIds(), input.attentionMask(), input.imageGrids(), config);
        NDArray embeds = embeddings(input, step);
        long[][][] prefixPositions = new long[3][1][];
        long[][][] restPositions = new long[3][b][];
        for (int a = 0; a < 3; a++) {
            prefixPositions[a][0] = Arrays.copyOfRange(rope.positions()[a][0], 0, shared);
            for (int r = 0; r < b; r++) {
                restPositions[a][r] = Arrays.copyOfRange(rope.positions()[a][r], shared, t);
            }
        }
        TextDecoder.PromptKeys prefixKeys = new TextDecoder.PromptKeys();
        int[][] prefixMask = {input.attentionMask()[0]};
        text.layers(embeds.get(new NDIndex("0:1, :{}", shared)), text.rotary(prefixPositions, step),
                text.mask(prefixMask, shared, 0, shared, step), prefixKeys, step);
        NDArray everyRow = step.zeros(new Shape(b), DataType.INT64);
        return text.layers(embeds.get(new NDIndex(":, {}:", shared)), text.rotary(restPositions, step),
                text.mask(input.attentionMask(), t, shared, t - shared, step), prefixKeys.forRows(everyRow), step);
    }

    /** Token embeddings with the merged vision features scattered into the image pad positions, row-major. */
    private NDArray embeddings(ModelInput input, NDManager step) {
        long[][] ids = input.inputIds();
        NDArray embeds = text.embed(ids, step);
        long imageToken = config.tokens().imageTokenId();
        int b = ids.length;
        int t = ids[0].length;
        int padTokens = 0;
        for (long[] row : ids) {
            for (long id : row) {
                padTokens += id == imageToken ? 1 : 0;
            }
        }
        if (input.imageGrids().isEmpty()) {
            if (padTokens > 0) {
                throw new ModelException("the batch has " + padTokens + " image tokens but no images");
            }
            return embeds;
        }
        DistinctImages images = DistinctImages.of(input.pixelPatches(), input.imageGrids(),
                config.vision().patchValues(), config.vision().mergeUnit());
        NDArray features = vision.forward(images.patches(), images.grids(), step);
        long featureCount = images.tokens();
        if (featureCount != padTokens) {
            throw new ModelException("image features and image tokens do not match: tokens " + padTokens
                    + ", features " + featureCount);
        }
        // the pad tokens of image k, in row-major order, take its features (those of its first copy)
        long[] index = new long[b * t];
        long tableStart = (long) b * t;
        int image = 0;
        int within = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                if (ids[i][j] != imageToken) {
                    index[i * t + j] = (long) i * t + j;
                    continue;
                }
                while (within == images.tokensOf(image)) {
                    image++;
                    within = 0;
                }
                index[i * t + j] = tableStart + images.featureStart(image) + within++;
            }
        }
        int hdim = config.text().hiddenSize();
        NDArray table = embeds.reshape((long) b * t, hdim).concat(features, 0);
        return Nn.rows(table, index).reshape(b, t, hdim);
    }

    /**
     * The vision tower and patch merger alone: merged image tokens {@code [patches / 4, outHiddenSize]}, images in
     * order, for uses that need image features without text (slide tile features).
     *
     * @param patches all images' patches flattened, as {@link ModelInput#pixelPatches()}
     * @param grids per image {t, h, w} in patches
     */
    public NDArray encodeImages(float[] patches, List<int[]> grids, NDManager step) {
        return vision.forward(patches, grids, step);
    }

    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            if (mapped != null) {
                mapped.close();
            }
        }
    }
}

package org.pathoreason.model.lora;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.pathoreason.model.Adapter;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.SafetensorsException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.io.SafetensorsWriter;
import org.pathoreason.model.io.TensorInfo;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * A LoRA adapter in PEFT's layout: a folder with {@code adapter_config.json} ({@link LoraConfig}) and
 * {@code adapter_model.safetensors} holding, for each adapted linear layer at module path {@code P},
 * {@code base_model.model.P.lora_A.weight} {@code [r, in]} and {@code base_model.model.P.lora_B.weight}
 * {@code [out, r]}. The layer's weight {@code W [out, in]} becomes {@code W + scaling * B @ A} (see
 * {@link LoraConfig#scaling}). Module paths of both Qwen2.5-VL layouts are read ({@link ModuleLayout}); the adapter
 * is written back in the layout it was read in.
 *
 * <pre>{@code
 * LoraAdapter adapter = LoraAdapter.read(Path.of("my-adapter"));
 * try (CheckpointBundle ckpt = CheckpointBundle.open(base, manager, CheckpointBundle.Options.adapter(adapter))) {
 *     ... // the base with the adapter merged into its weights
 * }
 * LoraMerge.merge(base, adapter, out, DType.BF16);  // or a merged checkpoint folder
 * }</pre>
 */
public final class LoraAdapter implements Adapter {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    static final String PREFIX = "base_model.model.";
    static final String A_SUFFIX = ".lora_A.weight";
    static final String B_SUFFIX = ".lora_B.weight";

    /**
     * One adapted layer: its module path as the adapter spells it, the published weight name it adapts, and its A
     * {@code [r, in]} and B {@code [out, r]} as float32 row-major, with the dtype they are stored in.
     */
    public record Module(String path, String parameter, int rank, int in, int out, float[] a, float[] b,
            DType dtype) {
    }

    /**
     * The PEFT name of an adapter tensor: {@code base_model.model.<module path in layout>.lora_A.weight} (or
     * {@code lora_B}) for the published weight name {@code parameter}.
     */
    public static String tensorName(ModuleLayout layout, String parameter, boolean b) {
        return PREFIX + layout.modulePath(parameter) + (b ? B_SUFFIX : A_SUFFIX);
    }

    private final Path source;
    private final LoraConfig config;
    private final ModuleLayout layout;
    private final Map<String, Module> byParameter;

    private LoraAdapter(Path source, LoraConfig config, ModuleLayout layout, Map<String, Module> byParameter) {
        this.source = source;
        this.config = config;
        this.layout = layout;
        this.byParameter = Collections.unmodifiableMap(byParameter);
    }

    /**
     * An adapter from its parts (a trainer's result): A and B of each adapted weight, keyed by published weight
     * name, written in {@code layout}.
     */
    public static LoraAdapter of(LoraConfig config, ModuleLayout layout, Map<String, Module> byParameter) {
        return new LoraAdapter(null, config, layout, new TreeMap<>(byParameter));
    }

    /**
     * Reads an adapter folder.
     *
     * @throws ModelException naming the file and the field or tensor that is missing, malformed or unsupported
     */
    public static LoraAdapter read(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new ModelException("adapter folder " + dir + " does not exist");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        Path weightsFile = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new ModelException("adapter " + dir + " has no " + CONFIG_FILE + " (a PEFT adapter folder holds "
                    + CONFIG_FILE + " and " + WEIGHTS_FILE + ")");
        }
        if (!Files.isRegularFile(weightsFile)) {
            throw new ModelException("adapter " + dir + " has no " + WEIGHTS_FILE
                    + (Files.isRegularFile(dir.resolve("adapter_model.bin"))
                            ? " (adapter_model.bin, PyTorch pickle, is not read: save with safe_serialization=True)"
                            : ""));
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new ModelException(configFile + ": not valid JSON: " + e.getMessage(), e);
        }
        LoraConfig config = LoraConfig.fromJson(json, configFile);
        try (SafetensorsReader reader = SafetensorsReader.open(weightsFile)) {
            return withModules(dir, config, reader, weightsFile, configFile);
        } catch (SafetensorsException e) {
            throw new ModelException(weightsFile + ": " + e.getMessage(), e);
        }
    }

    private static LoraAdapter withModules(Path source, LoraConfig config, SafetensorsReader reader,
            Path weightsFile, Path configFile) throws SafetensorsException {
        Map<String, String[]> pairs = new TreeMap<>();
        for (String name : reader.names()) {
            if (!name.startsWith(PREFIX)) {
                throw new ModelException(weightsFile + ": tensor '" + name + "' does not start with '" + PREFIX
                        + "', as PEFT names adapter weights");
            }
            String rest = name.substring(PREFIX.length());
            int which;
            if (rest.endsWith(A_SUFFIX)) {
                which = 0;
            } else if (rest.endsWith(B_SUFFIX)) {
                which = 1;
            } else if (rest.contains("lora_embedding_")) {
                throw new ModelException(weightsFile + ": tensor '" + name + "' is a LoRA on an embedding; only "
                        + "linear layers are supported");
            } else if (rest.contains("lora_magnitude_vector")) {
                throw new ModelException(weightsFile + ": tensor '" + name + "' is a DoRA magnitude; DoRA is not "
                        + "supported");
            } else {
                throw new ModelException(weightsFile + ": tensor '" + name + "' is neither a lora_A nor a lora_B "
                        + "weight (trained biases and saved modules are not supported)");
            }
            String path = rest.substring(0, rest.length() - A_SUFFIX.length());
            pairs.computeIfAbsent(path, p -> new String[2])[which] = name;
        }
        if (pairs.isEmpty()) {
            throw new ModelException(weightsFile + ": holds no LoRA weights");
        }
        ModuleLayout found = null;
        Map<String, Module> modules = new TreeMap<>();
        for (Map.Entry<String, String[]> e : pairs.entrySet()) {
            String path = e.getKey();
            String[] ab = e.getValue();
            for (int i = 0; i < 2; i++) {
                if (ab[i] == null) {
                    throw new ModelException(weightsFile + ": module '" + path + "' has "
                            + (i == 0 ? "lora_B but no lora_A" : "lora_A but no lora_B") + " weight");
                }
            }
            if (!config.targets(path)) {
                throw new ModelException(weightsFile + ": module '" + path + "' is adapted but field "
                        + "'target_modules' of " + configFile + " (" + targetsText(config) + ") does not name it");
            }
            ModuleLayout l = ModuleLayout.of(path);
            if (!path.equals("lm_head") && found != null && l != found) {
                throw new ModelException(weightsFile + ": module '" + path + "' is in the " + l + " layout but "
                        + "earlier modules are in the " + found + " layout; an adapter uses one");
            }
            if (!path.equals("lm_head")) {
                found = l;
            }
            TensorInfo a = reader.info(ab[0]);
            TensorInfo b = reader.info(ab[1]);
            for (TensorInfo t : new TensorInfo[] {a, b}) {
                if (!t.dtype().isFloatingPoint() || t.shape().length != 2) {
                    throw new ModelException(weightsFile + ": tensor '" + t.name() + "' is " + t
                            + "; expected a 2-D F32, F16 or BF16 matrix");
                }
            }
            int rank = config.rank(path);
            long[] as = a.shape();
            long[] bs = b.shape();
            if (as[0] != rank || bs[1] != rank) {
                throw new ModelException(weightsFile + ": module '" + path + "': lora_A " + Arrays.toString(as)
                        + " and lora_B " + Arrays.toString(bs) + " do not have rank " + rank + " (field 'r' or "
                        + "'rank_pattern' of " + configFile + ")");
            }
            if (a.dtype() != b.dtype()) {
                throw new ModelException(weightsFile + ": module '" + path + "': lora_A is " + a.dtype()
                        + " but lora_B is " + b.dtype());
            }
            String parameter = ModuleLayout.parameter(path);
            modules.put(parameter, new Module(path, parameter, rank, Math.toIntExact(as[1]),
                    Math.toIntExact(bs[0]), reader.readFloats(ab[0]), reader.readFloats(ab[1]), a.dtype()));
        }
        return new LoraAdapter(source, config, found == null ? ModuleLayout.NESTED : found, modules);
    }

    private static String targetsText(LoraConfig config) {
        return config.targetRegex() != null ? "regex '" + config.targetRegex() + "'"
                : String.valueOf(config.targetModules());
    }

    @Override
    public Path source() {
        return source;
    }

    public LoraConfig config() {
        return config;
    }

    public ModuleLayout layout() {
        return layout;
    }

    /** The adapted layers by published weight name, sorted. */
    public Map<String, Module> modules() {
        return byParameter;
    }

    /** The published weight names this adapter changes. */
    public Set<String> parameters() {
        return byParameter.keySet();
    }

    /**
     * The adapter's part of a weight: {@code scaling * B @ A} as float32 {@code [out, in]} row-major, summed over
     * the rank in order with float32 products, as PyTorch's float32 product does.
     */
    public float[] delta(String parameter) {
        Module m = module(parameter);
        float scale = (float) config.scaling(m.path());
        float[] out = new float[Math.multiplyExact(m.out(), m.in())];
        for (int o = 0; o < m.out(); o++) {
            int row = o * m.in();
            for (int k = 0; k < m.rank(); k++) {
                float bk = m.b()[o * m.rank() + k];
                int arow = k * m.in();
                for (int i = 0; i < m.in(); i++) {
                    out[row + i] += bk * m.a()[arow + i];
                }
            }
            for (int i = 0; i < m.in(); i++) {
                out[row + i] *= scale;
            }
        }
        return out;
    }

    /** {@code base + delta(parameter)}, element by element in float32, into a new array. */
    public float[] merged(String parameter, float[] base) {
        float[] d = delta(parameter);
        if (base.length != d.length) {
            throw new ModelException(source + ": module '" + module(parameter).path() + "' has " + d.length
                    + " elements but the base weight has " + base.length);
        }
        for (int i = 0; i < d.length; i++) {
            d[i] += base[i];
        }
        return d;
    }

    private Module module(String parameter) {
        Module m = byParameter.get(parameter);
        if (m == null) {
            throw new ModelException("adapter " + source + " does not adapt '" + parameter + "'");
        }
        return m;
    }

    /**
     * Checks the adapter against a base: every adapted module is a weight of the base with shape
     * {@code [out, in]}.
     *
     * @param baseShapes the base's tensor shapes by published name; null for a tensor the base lacks
     * @param base       names the base in messages
     * @throws ModelException naming the module, the adapter file and what the base has instead
     */
    public void checkFits(Function<String, long[]> baseShapes, Object base) {
        Path weights = source == null ? Path.of(WEIGHTS_FILE) : source.resolve(WEIGHTS_FILE);
        for (Module m : byParameter.values()) {
            long[] shape = baseShapes.apply(m.parameter());
            if (shape == null) {
                throw new ModelException(weights + ": module '" + m.path() + "' is not a layer of the base " + base
                        + " (it has no tensor '" + m.parameter() + "'); the adapter was made for another model");
            }
            if (shape.length != 2 || shape[0] != m.out() || shape[1] != m.in()) {
                throw new ModelException(weights + ": module '" + m.path() + "': lora_B x lora_A is [" + m.out()
                        + ", " + m.in() + "] but the base " + base + " has '" + m.parameter() + "' of shape "
                        + Arrays.toString(shape) + "; the adapter was made for another model size");
            }
        }
    }

    /**
     * Merges into a loaded model's float32 weights in place: {@code W += scaling * B @ A}.
     *
     * @throws ModelException when a module is not a weight of the model or its shape differs
     */
    @Override
    public void mergeInto(VisionLanguageModel model, Path baseDir) {
        Map<String, NDArray> params = model.parameters();
        checkFits(name -> {
            NDArray p = params.get(name);
            return p == null ? null : p.getShape().getShape();
        }, baseDir);
        for (Module m : byParameter.values()) {
            NDArray w = params.get(m.parameter());
            // added in place: a weight may share its storage with others (fused projections), so it keeps it
            org.pathoreason.engine.NoGrad.get(() -> {
                try (NDArray d = w.getManager().create(delta(m.parameter()), w.getShape())) {
                    w.addi(d);
                }
                return null;
            });
        }
    }

    /**
     * Writes the adapter folder atomically in PEFT's layout and in {@link #layout()}: {@code adapter_config.json}
     * and {@code adapter_model.safetensors} (each tensor in the dtype it was read in, F32 for new ones). The same
     * adapter always gives the same bytes.
     */
    public void write(Path dir) {
        AtomicFiles.writeFolder(dir, this::writeInto);
    }

    /**
     * Writes {@code adapter_config.json} and {@code adapter_model.safetensors} into an existing folder that the
     * caller renames into place when complete (a training checkpoint).
     */
    public void writeInto(Path dir) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata(Map.of("format", "pt"));
        for (Module m : byParameter.values()) {
            String path = PREFIX + layout.modulePath(m.parameter());
            DType d = m.dtype() == null ? DType.F32 : m.dtype();
            w.put(path + A_SUFFIX, d, new long[] {m.rank(), m.in()}, m.a());
            w.put(path + B_SUFFIX, d, new long[] {m.out(), m.rank()}, m.b());
        }
        String json = Json.PRETTY.writeValueAsString(config.toJson()) + "\n";
        w.write(dir.resolve(WEIGHTS_FILE));
        Files.writeString(dir.resolve(CONFIG_FILE), json);
    }

    /** A copy written in another module layout (same weights). */
    public LoraAdapter withLayout(ModuleLayout newLayout) {
        return new LoraAdapter(source, config, Objects.requireNonNull(newLayout, "layout"),
                new LinkedHashMap<>(byParameter));
    }

    /** A copy with another config (same weights): e.g. another base name. */
    public LoraAdapter withConfig(LoraConfig newConfig) {
        return new LoraAdapter(source, newConfig, layout, new LinkedHashMap<>(byParameter));
    }

    @Override
    public String toString() {
        return "LoRA adapter " + (source == null ? "(in memory)" : source) + " (r=" + config.r() + ", alpha="
                + config.alpha() + ", " + byParameter.size() + " layers)";
    }
}

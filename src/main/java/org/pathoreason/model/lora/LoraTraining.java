package org.pathoreason.model.lora;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.pathoreason.model.LowRankBranches;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.ParameterGroup;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.io.DType;

/**
 * LoRA training on a loaded model: every weight {@code target_modules} names gets a trainable low-rank branch
 * ({@link LowRankBranches}), initialised as PEFT initialises one (A kaiming-uniform with {@code a = sqrt(5)}, that
 * is {@code U(-1/sqrt(in), 1/sqrt(in))}, drawn from a seed; B zeros, so the adapted model starts as the base); the
 * base weights are frozen. The branch arrays are named as PEFT names the adapter's tensors
 * ({@code base_model.model.<module path>.lora_A.weight}, nested module paths), so the trainable parameters, the
 * optimiser state and the saved {@code adapter_model.safetensors} share one set of names.
 *
 * <pre>{@code
 * LoraTraining lora = LoraTraining.attach(model, LoraConfig.languageModel(8, 16, 0.05, LoraConfig.LANGUAGE_LINEAR,
 *         false).withBaseModel(baseDir.toString()), seed);
 * new AdamW(lora.parameters(), settings);            // only A and B
 * lora.adapter().write(dir);                         // a PEFT adapter folder
 * float[] ref = lora.withAdapterOff(() -> ...);      // the base model's forward, no second copy
 * }</pre>
 */
public final class LoraTraining {

    private static final ModuleLayout LAYOUT = ModuleLayout.NESTED;

    private final VisionLanguageModel model;
    private final LoraConfig config;
    private final List<LowRankBranches.Branch> branches;
    private final Map<String, NDArray> parameters;
    private final Map<String, String> pathOf;

    private LoraTraining(VisionLanguageModel model, LoraConfig config, List<LowRankBranches.Branch> branches,
            Map<String, String> pathOf) {
        this.model = model;
        this.config = config;
        this.branches = branches;
        this.pathOf = pathOf;
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (LowRankBranches.Branch b : branches) {
            p.put(LoraAdapter.tensorName(LAYOUT, b.weight(), false), b.a());
            p.put(LoraAdapter.tensorName(LAYOUT, b.weight(), true), b.b());
        }
        this.parameters = Collections.unmodifiableMap(p);
    }

    /**
     * Freezes every base weight of {@code model} and adds a branch to each weight whose module path (nested
     * layout) {@code config} targets, with the rank, alpha and scaling the config gives that module.
     *
     * @param seed seeds the initial A matrices (module by module, in model order)
     * @throws ModelException when no weight of the model is targeted, or the model cannot take branches
     */
    public static LoraTraining attach(VisionLanguageModel model, LoraConfig config, long seed) {
        Objects.requireNonNull(config, "config");
        LowRankBranches lowRank = model.lowRank();
        SplittableRandom rng = new SplittableRandom(seed);
        List<LowRankBranches.Spec> specs = new ArrayList<>();
        Map<String, String> pathOf = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : lowRank.adaptable().entrySet()) {
            String weight = e.getKey();
            String path = LAYOUT.modulePath(weight);
            if (!config.targets(path)) {
                continue;
            }
            int out = Math.toIntExact(e.getValue()[0]);
            int in = Math.toIntExact(e.getValue()[1]);
            int rank = config.rank(path);
            float[] a = new float[Math.multiplyExact(rank, in)];
            double bound = 1 / Math.sqrt(in); // kaiming_uniform_(a=sqrt(5)): gain sqrt(1/3) * sqrt(3 / fan_in)
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rng.nextDouble(-bound, bound);
            }
            specs.add(new LowRankBranches.Spec(weight, LoraAdapter.tensorName(LAYOUT, weight, false),
                    LoraAdapter.tensorName(LAYOUT, weight, true), rank, a, new float[Math.multiplyExact(out, rank)],
                    config.scaling(path), config.dropout()));
            pathOf.put(weight, path);
        }
        if (specs.isEmpty()) {
            throw new ModelException("LoRA target_modules " + (config.targetRegex() != null
                    ? "regex '" + config.targetRegex() + "'" : config.targetModules())
                    + " names no linear layer of the model (module paths look like "
                    + LAYOUT.modulePath("model.layers.0.self_attn.q_proj.weight") + ")");
        }
        for (ParameterGroup g : ParameterGroup.values()) {
            model.setFrozen(g, true);
        }
        return new LoraTraining(model, config, lowRank.add(specs), pathOf);
    }

    /** The trainable arrays (every A and B), by PEFT tensor name, in model order. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    public LoraConfig config() {
        return config;
    }

    /** How many weights carry a branch. */
    public int modules() {
        return branches.size();
    }

    /** The current A and B as an adapter (float32), ready to {@link LoraAdapter#write}. */
    public LoraAdapter adapter() {
        Map<String, LoraAdapter.Module> modules = new LinkedHashMap<>();
        for (LowRankBranches.Branch b : branches) {
            long[] as = b.a().getShape().getShape();
            long[] bs = b.b().getShape().getShape();
            modules.put(b.weight(), new LoraAdapter.Module(pathOf.get(b.weight()), b.weight(), Math.toIntExact(as[0]),
                    Math.toIntExact(as[1]), Math.toIntExact(bs[0]), b.a().toFloatArray(), b.b().toFloatArray(),
                    DType.F32));
        }
        return LoraAdapter.of(config, LAYOUT, modules);
    }

    /** Turns the branches on or off (off: the base model's forward). */
    public void setEnabled(boolean on) {
        model.lowRank().setEnabled(on);
    }

    /** Runs {@code work} with the branches off, the base model (a reference policy), and turns them on again. */
    public <T> T withAdapterOff(Supplier<T> work) {
        LowRankBranches lowRank = model.lowRank();
        boolean was = lowRank.isEnabled();
        lowRank.setEnabled(false);
        try {
            return work.get();
        } finally {
            lowRank.setEnabled(was);
        }
    }

    /** The base checkpoint named in the adapter's config, or null. */
    public Path baseModel() {
        return config.baseModel() == null ? null : Path.of(config.baseModel());
    }
}

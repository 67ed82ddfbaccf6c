package org.pathoreason.train;

import org.pathoreason.engine.NoGrad;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Adam with decoupled weight decay, step for step as PyTorch's {@code torch.optim.AdamW} (amsgrad off, maximize
 * off). For each trainable parameter {@code p} with gradient {@code g}, at its {@code t}-th update:
 * <pre>
 *   p  = p * (1 - lr * weight_decay)          (skipped for parameters in the no-decay group)
 *   m  = beta1 * m + (1 - beta1) * g
 *   v  = beta2 * v + (1 - beta2) * g^2
 *   p  = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * <p>The trainable parameters are those of the given map that require a gradient when the optimiser is built
 * (freeze first, then build). Tied weights (one array under two names, e.g. {@code lm_head.weight} and
 * {@code model.embed_tokens.weight}) are updated once, under the first name in sorted order. As in PyTorch, a
 * parameter whose gradient was never created by a backward pass is skipped and its step count does not advance.
 *
 * <p>State ({@code exp_avg}, {@code exp_avg_sq}) lives in a manager the optimiser owns, in each parameter's data
 * type and device; {@link #close()} frees it. Updates are in place and every temporary is closed, so memory stays
 * flat however many steps run.
 */
public final class AdamW implements AutoCloseable {

    /** The default no-decay names: biases, norms (including the merger's {@code ln_q}) and token embeddings. */
    public static final List<String> DEFAULT_NO_DECAY = List.of("\\.bias$", "norm", "ln_q", "embed_tokens");

    /**
     * Hyperparameters other than the learning rate, which comes with each {@link #step(double)}.
     *
     * @param noDecay which parameter names get no weight decay
     */
    public record Settings(double beta1, double beta2, double eps, double weightDecay, Predicate<String> noDecay) {

        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
            }
            if (!(eps >= 0)) {
                throw new IllegalArgumentException("eps must be >= 0, got " + eps);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            }
            if (noDecay == null) {
                throw new IllegalArgumentException("noDecay predicate is required");
            }
        }

        /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01, the default no-decay names. */
        public static Settings defaults() {
            return new Settings(0.9, 0.999, 1e-8, 0.01, noDecayMatching(DEFAULT_NO_DECAY));
        }

        public Settings withWeightDecay(double wd) {
            return new Settings(beta1, beta2, eps, wd, noDecay);
        }

        public Settings withNoDecay(Predicate<String> predicate) {
            return new Settings(beta1, beta2, eps, weightDecay, predicate);
        }
    }

    /** A predicate true for names in which any of the regular expressions is found ({@code Matcher.find}). */
    public static Predicate<String> noDecayMatching(List<String> regexes) {
        List<Pattern> patterns = new ArrayList<>();
        for (String r : regexes) {
            patterns.add(Pattern.compile(r));
        }
        return name -> patterns.stream().anyMatch(p -> p.matcher(name).find());
    }

    private static final class Slot {
        final String name;
        final NDArray param;
        final boolean decay;
        NDArray expAvg;
        NDArray expAvgSq;
        long step;

        Slot(String name, NDArray param, boolean decay) {
            this.name = name;
            this.param = param;
            this.decay = decay;
        }
    }

    private final Settings settings;
    private final NDManager manager;
    private final Map<String, Slot> slots = new LinkedHashMap<>();

    /**
     * An optimiser over the parameters of {@code params} that require a gradient.
     *
     * @throws IllegalArgumentException when none does
     */
    public AdamW(Map<String, NDArray> params, Settings settings) {
        this.settings = settings;
        Map<NDArray, String> seen = new IdentityHashMap<>();
        for (Map.Entry<String, NDArray> e : new TreeMap<>(params).entrySet()) {
            NDArray p = e.getValue();
            if (p.hasGradient() && seen.putIfAbsent(p, e.getKey()) == null) {
                slots.put(e.getKey(), new Slot(e.getKey(), p, !settings.noDecay().test(e.getKey())));
            }
        }
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("no trainable parameters: none of the " + params.size()
                    + " parameters requires a gradient (is everything frozen?)");
        }
        NDArray first = slots.values().iterator().next().param;
        this.manager = first.getManager().getEngine().newBaseManager(first.getDevice());
        this.manager.setName("adamw-state");
        for (Slot s : slots.values()) {
            s.expAvg = manager.zeros(s.param.getShape(), s.param.getDataType(), s.param.getDevice());
            s.expAvgSq = manager.zeros(s.param.getShape(), s.param.getDataType(), s.param.getDevice());
        }
    }

    public Settings settings() {
        return settings;
    }

    /** Names of the parameters this optimiser updates, sorted; tied duplicates appear once. */
    public List<String> parameterNames() {
        return List.copyOf(slots.keySet());
    }

    /** The parameters this optimiser updates, by name (tied duplicates once). */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        slots.forEach((k, s) -> out.put(k, s.param));
        return Collections.unmodifiableMap(out);
    }

    /** True when {@code name} is in the weight-decay group. */
    public boolean decays(String name) {
        return slot(name).decay;
    }

    /** How many updates parameter {@code name} has received. */
    public long step(String name) {
        return slot(name).step;
    }

    /**
     * Applies one update at learning rate {@code lr} from the parameters' current gradients. Gradients are read,
     * not changed; zero them afterwards for the next accumulation.
     */
    public void step(double lr) {
        try (Gradients.Handles grads = Gradients.open(parameters().values())) {
            step(lr, grads);
        }
    }

    /** {@link #step(double)} with gradients already opened (by {@link ParameterUpdater}). */
    public void step(double lr, Gradients.Handles grads) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + lr);
        }
        // the update's scalars as arrays made once per update: a Number operand would become a new array per call
        NDArray first = slots.values().iterator().next().param;
        try (NDManager scalars = first.getManager().getEngine().newBaseManager(first.getDevice())) {
            Scalars c = new Scalars(scalars, lr);
            NoGrad.get(() -> {
                for (Slot s : slots.values()) {
                    NDArray grad = grads.of(s.param);
                    if (grad != null) {
                        update(s, grad, c);
                    }
                }
                return null;
            });
        }
    }

    /** The scalars of one update, as float32 arrays; the bias corrections per step count. */
    private final class Scalars {
        final NDManager manager;
        final NDArray decay;
        final NDArray beta1;
        final NDArray oneMinusBeta1;
        final NDArray beta2;
        final NDArray oneMinusBeta2;
        final NDArray eps;
        final double lr;
        final Map<Long, NDArray[]> corrections = new java.util.HashMap<>();

        Scalars(NDManager manager, double lr) {
            this.manager = manager;
            this.lr = lr;
            this.decay = scalar(1 - lr * settings.weightDecay());
            this.beta1 = scalar(settings.beta1());
            this.oneMinusBeta1 = scalar(1 - settings.beta1());
            this.beta2 = scalar(settings.beta2());
            this.oneMinusBeta2 = scalar(1 - settings.beta2());
            this.eps = scalar(settings.eps());
        }

        private NDArray scalar(double value) {
            NDArray a = manager.create((float) value);
            ai.djl.ndarray.NDScope.unregister(a);
            return a;
        }

        /** The same scalars as floats for {@link AdamWKernel}, for update number {@code t}. */
        AdamWKernel.Scalars kernelScalars(long t) {
            return new AdamWKernel.Scalars((float) (1 - lr * settings.weightDecay()), (float) settings.beta1(),
                    (float) (1 - settings.beta1()), (float) settings.beta2(), (float) (1 - settings.beta2()),
                    (float) settings.eps(), (float) Math.sqrt(1 - Math.pow(settings.beta2(), t)),
                    (float) (lr / (1 - Math.pow(settings.beta1(), t))));
        }

        /** {sqrt(1 - beta2^t), lr / (1 - beta1^t)} for update number {@code t}. */
        NDArray[] correction(long t) {
            return corrections.computeIfAbsent(t, k -> new NDArray[] {
                scalar(Math.sqrt(1 - Math.pow(settings.beta2(), k))),
                scalar(lr / (1 - Math.pow(settings.beta1(), k)))});
        }
    }

    private void update(Slot s, NDArray grad, Scalars c) {
        s.step++;
        boolean decay = s.decay && settings.weightDecay() != 0;
        if (AdamWKernel.update(s.param, grad, s.expAvg, s.expAvgSq, c.kernelScalars(s.step), decay)) {
            return;
        }
        if (decay) {
            s.param.muli(c.decay);
        }
        s.expAvg.muli(c.beta1);
        try (NDArray scaled = grad.mul(c.oneMinusBeta1)) {
            s.expAvg.addi(scaled);
        }
        s.expAvgSq.muli(c.beta2);
        try (NDArray sq = grad.square()) {
            sq.muli(c.oneMinusBeta2);
            s.expAvgSq.addi(sq);
        }
        NDArray[] bc = c.correction(s.step);
        try (NDArray denom = s.expAvgSq.sqrt()) {
            denom.divi(bc[0]).addi(c.eps);
            try (NDArray delta = s.expAvg.div(denom)) {
                delta.muli(bc[1]);
                s.param.subi(delta);
            }
        }
    }

    /**
     * The state to checkpoint, keyed {@code <param>.exp_avg} and {@code <param>.exp_avg_sq}. The arrays are the
     * live state: write them out, do not close them.
     */
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Slot s : slots.values()) {
            out.put(s.name + ".exp_avg", s.expAvg);
            out.put(s.name + ".exp_avg_sq", s.expAvgSq);
        }
        return out;
    }

    /** Per-parameter update counts, for the checkpoint. */
    public Map<String, Long> steps() {
        Map<String, Long> out = new LinkedHashMap<>();
        slots.forEach((k, s) -> out.put(k, s.step));
        return out;
    }

    /**
     * Restores state saved from {@link #stateTensors()} and {@link #steps()}; the sets of parameters must match.
     * Values are copied, so the caller keeps (and closes) {@code tensors}.
     *
     * @param source names the origin (a file) in error messages
     */
    public void loadState(Map<String, NDArray> tensors, Map<String, Long> steps, String source) {
        List<String> missing = new ArrayList<>();
        for (String name : slots.keySet()) {
            if (!tensors.containsKey(name + ".exp_avg") || !tensors.containsKey(name + ".exp_avg_sq")
                    || !steps.containsKey(name)) {
                missing.add(name);
            }
        }
        List<String> extra = new ArrayList<>();
        for (String name : steps.keySet()) {
            if (!slots.containsKey(name)) {
                extra.add(name);
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new IllegalArgumentException(source + ": optimiser state does not match the trainable parameters"
                    + (missing.isEmpty() ? "" : "; missing " + preview(missing))
                    + (extra.isEmpty() ? "" : "; not trainable here " + preview(extra))
                    + " (were the freeze switches changed since the checkpoint?)");
        }
        for (Slot s : slots.values()) {
            copyState(tensors.get(s.name + ".exp_avg"), s, true, source);
            copyState(tensors.get(s.name + ".exp_avg_sq"), s, false, source);
            long step = steps.get(s.name);
            if (step < 0) {
                throw new IllegalArgumentException(source + ": negative step " + step + " for " + s.name);
            }
            s.step = step;
        }
    }

    private void copyState(NDArray saved, Slot s, boolean first, String source) {
        String key = s.name + (first ? ".exp_avg" : ".exp_avg_sq");
        if (!saved.getShape().equals(s.param.getShape())) {
            throw new IllegalArgumentException(source + ": " + key + " has shape " + saved.getShape()
                    + " but the parameter has " + s.param.getShape());
        }
        NDArray copy = Tensors.copyOf(saved, manager, s.param.getDataType(), s.param.getDevice());
        if (first) {
            s.expAvg.close();
            s.expAvg = copy;
        } else {
            s.expAvgSq.close();
            s.expAvgSq = copy;
        }
    }

    private Slot slot(String name) {
        Slot s = slots.get(name);
        if (s == null) {
            throw new IllegalArgumentException("'" + name + "' is not a parameter of this optimiser");
        }
        return s;
    }

    private static String preview(List<String> names) {
        return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }

    /** Arrays alive in the optimiser's own manager (two per parameter when nothing leaks); for memory checks. */
    public int liveArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}

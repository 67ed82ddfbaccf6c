package org.pathoreason.model.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pathoreason.model.ModelException;
import org.pathoreason.util.Json;

/**
 * The settings of a LoRA adapter as PEFT writes them in {@code adapter_config.json}: rank {@code r},
 * {@code lora_alpha}, {@code lora_dropout}, {@code target_modules} (module names, or one regular expression),
 * {@code use_rslora}, per-module {@code rank_pattern} / {@code alpha_pattern}, {@code base_model_name_or_path} and
 * {@code task_type}. Only what PathoReason can apply is accepted: {@code peft_type} {@code LORA}, {@code bias}
 * {@code none}, no DoRA, no {@code fan_in_fan_out}, no {@code modules_to_save}; anything else is refused naming the
 * field.
 *
 * @param r                 default rank
 * @param alpha             {@code lora_alpha}
 * @param dropout           {@code lora_dropout} (training only; merging ignores it, as PEFT does in eval mode)
 * @param targetModules     module names matched as PEFT does: equal to the module path or its last dotted parts
 * @param targetRegex       instead of names, one regular expression the whole module path must match; null if names
 * @param useRslora         scale by {@code alpha / sqrt(r)} instead of {@code alpha / r}
 * @param rankPattern       module pattern to rank, overriding {@code r}
 * @param alphaPattern      module pattern to alpha, overriding {@code lora_alpha}
 * @param baseModel         {@code base_model_name_or_path}; null when unknown
 * @param taskType          {@code task_type}; null when none
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules, String targetRegex,
        boolean useRslora, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern, String baseModel,
        String taskType) {

    /** The language model's linear layers, the usual targets (attention and MLP projections). */
    public static final List<String> LANGUAGE_LINEAR = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("r must be positive, got " + r);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
        targetModules = List.copyOf(targetModules == null ? List.of() : targetModules);
        if (targetModules.isEmpty() == (targetRegex == null)) {
            throw new IllegalArgumentException("give either target module names or one target regex");
        }
        rankPattern = Map.copyOf(rankPattern == null ? Map.of() : rankPattern);
        alphaPattern = Map.copyOf(alphaPattern == null ? Map.of() : alphaPattern);
    }

    /** A config on the given module names, without rsLoRA, patterns, base name or task type. */
    public static LoraConfig of(int r, double alpha, double dropout, List<String> targetModules) {
        return new LoraConfig(r, alpha, dropout, targetModules, null, false, Map.of(), Map.of(), null, null);
    }

    /**
     * A config to train with: {@code names} (module names such as {@code q_proj}) matched as PEFT matches them.
     * With {@code vision} false only the language model's decoder layers are adapted, written as one regular
     * expression over the module paths of both layouts ({@code model.(language_model.)?layers.N...}), because
     * PEFT's name list would also match the vision blocks' {@code gate_proj}, {@code up_proj} and
     * {@code down_proj}; with {@code vision} true the names are kept as a list (vision blocks and merger too).
     *
     * @throws IllegalArgumentException for an empty list or a name that is not letters, digits, '_' and '.'
     */
    public static LoraConfig forTraining(int r, double alpha, double dropout, List<String> names, boolean rslora,
            boolean vision) {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("LoRA targets: give at least one module name, e.g. "
                    + String.join(",", LANGUAGE_LINEAR));
        }
        for (String n : names) {
            if (!n.matches("[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*")) {
                throw new IllegalArgumentException("LoRA target '" + n + "' is not a module name (letters, digits, "
                        + "'_', dotted parts), e.g. q_proj or mlp.0");
            }
        }
        if (vision) {
            return new LoraConfig(r, alpha, dropout, names, null, rslora, Map.of(), Map.of(), null, null);
        }
        String alternatives = String.join("|", names.stream().map(n -> n.replace(".", "\\.")).toList());
        String regex = "model\\.(language_model\\.)?layers\\.\\d+\\.(.*\\.)?(" + alternatives + ")";
        return new LoraConfig(r, alpha, dropout, List.of(), regex, rslora, Map.of(), Map.of(), null, null);
    }

    public LoraConfig withBaseModel(String base) {
        return new LoraConfig(r, alpha, dropout, targetModules, targetRegex, useRslora, rankPattern, alphaPattern,
                base, taskType);
    }

    /** True when PEFT would put a LoRA layer on the module at this path ({@code target_modules}). */
    public boolean targets(String modulePath) {
        if (targetRegex != null) {
            return Pattern.compile(targetRegex).matcher(modulePath).matches();
        }
        for (String t : targetModules) {
            if (modulePath.equals(t) || modulePath.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    /** The rank of a module: the first {@code rank_pattern} key that matches it, else {@code r}. */
    public int rank(String modulePath) {
        String key = patternKey(rankPattern.keySet(), modulePath);
        return key == null ? r : rankPattern.get(key);
    }

    /** The alpha of a module: the first {@code alpha_pattern} key that matches it, else {@code lora_alpha}. */
    public double alpha(String modulePath) {
        String key = patternKey(alphaPattern.keySet(), modulePath);
        return key == null ? alpha : alphaPattern.get(key);
    }

    /** The factor of {@code B @ A}: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA (PEFT's scaling). */
    public double scaling(String modulePath) {
        int rank = rank(modulePath);
        double a = alpha(modulePath);
        return useRslora ? a / Math.sqrt(rank) : a / rank;
    }

    /** PEFT's rule: a key matches a module whose path is the key or ends with "." + key (the key is a regex). */
    private static String patternKey(Iterable<String> keys, String modulePath) {
        for (String key : keys) {
            if (Pattern.compile("(.*\\.)?(" + key + ")").matcher(modulePath).matches()) {
                return key;
            }
        }
        return null;
    }

    /**
     * Parses {@code adapter_config.json}.
     *
     * @param file named in error messages
     * @throws ModelException naming the file and the field that is missing, malformed or unsupported
     */
    public static LoraConfig fromJson(JsonNode n, Path file) {
        if (n == null || !n.isObject()) {
            throw bad(file, "expected a JSON object");
        }
        String peftType = n.path("peft_type").asText("");
        if (!peftType.equals("LORA")) {
            throw bad(file, "field 'peft_type' is '" + n.path("peft_type").asText("(missing)")
                    + "'; PathoReason applies LORA adapters only");
        }
        int r = positiveInt(n, "r", file);
        double alpha = number(n, "lora_alpha", file, r);
        double dropout = number(n, "lora_dropout", file, 0);
        String bias = n.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw bad(file, "field 'bias' is '" + bias + "'; only 'none' is supported (no trained biases)");
        }
        requireFalse(n, "use_dora", file, "DoRA adapters are not supported");
        requireFalse(n, "fan_in_fan_out", file, "only torch.nn.Linear layout (out, in) is supported");
        requireFalse(n, "lora_bias", file, "LoRA biases are not supported");
        requireEmpty(n, "modules_to_save", file);
        requireEmpty(n, "layer_replication", file);
        requireEmpty(n, "target_parameters", file);
        List<String> names = new ArrayList<>();
        String regex = null;
        JsonNode t = n.get("target_modules");
        if (t != null && t.isTextual()) {
            regex = t.asText();
            try {
                Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw bad(file, "field 'target_modules' is not a valid regular expression: " + e.getDescription());
            }
        } else if (t != null && t.isArray() && !t.isEmpty()) {
            for (JsonNode m : t) {
                if (!m.isTextual() || m.asText().isBlank()) {
                    throw bad(file, "field 'target_modules' must list module names, found " + m);
                }
                names.add(m.asText());
            }
        } else {
            throw bad(file, "field 'target_modules' must be a non-empty list of module names or a regular "
                    + "expression, got " + (t == null ? "nothing" : t));
        }
        JsonNode rs = n.get("use_rslora");
        boolean rslora = rs != null && rs.asBoolean(false);
        Map<String, Integer> rankPattern = new LinkedHashMap<>();
        pattern(n, "rank_pattern", file).forEach((k, v) -> {
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
                throw bad(file, "field 'rank_pattern' maps '" + k + "' to " + v + "; expected a positive integer");
            }
            rankPattern.put(k, v.asInt());
        });
        Map<String, Double> alphaPattern = new LinkedHashMap<>();
        pattern(n, "alpha_pattern", file).forEach((k, v) -> {
            if (!v.isNumber()) {
                throw bad(file, "field 'alpha_pattern' maps '" + k + "' to " + v + "; expected a number");
            }
            alphaPattern.put(k, v.asDouble());
        });
        if (!(dropout >= 0 && dropout < 1)) {
            throw bad(file, "field 'lora_dropout' must be in [0, 1), got " + dropout);
        }
        return new LoraConfig(r, alpha, dropout, names, regex, rslora, rankPattern, alphaPattern,
                text(n, "base_model_name_or_path"), text(n, "task_type"));
    }

    /**
     * The {@code adapter_config.json} PathoReason writes: the fields PEFT's {@code LoraConfig} reads, in a fixed
     * order, so that the same adapter is written byte for byte the same.
     */
    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("peft_type", "LORA");
        n.put("r", r);
        putNumber(n, "lora_alpha", alpha);
        putNumber(n, "lora_dropout", dropout);
        if (targetRegex != null) {
            n.put("target_modules", targetRegex);
        } else {
            ArrayNode a = n.putArray("target_modules");
            targetModules.forEach(a::add);
        }
        n.put("bias", "none");
        n.put("use_rslora", useRslora);
        n.put("use_dora", false);
        n.put("fan_in_fan_out", false);
        n.putNull("modules_to_save");
        ObjectNode rp = n.putObject("rank_pattern");
        new java.util.TreeMap<>(rankPattern).forEach(rp::put);
        ObjectNode ap = n.putObject("alpha_pattern");
        new java.util.TreeMap<>(alphaPattern).forEach((k, v) -> putNumber(ap, k, v));
        n.put("base_model_name_or_path", baseModel);
        n.put("task_type", taskType);
        n.put("inference_mode", true);
        n.put("init_lora_weights", true);
        return n;
    }

    /** Integral values as JSON integers (PEFT writes {@code lora_alpha: 8}), others as decimals. */
    private static void putNumber(ObjectNode n, String field, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            n.put(field, (long) v);
        } else {
            n.put(field, v);
        }
    }

    private static ModelException bad(Path file, String message) {
        return new ModelException(file + ": " + message);
    }

    private static int positiveInt(JsonNode n, String field, Path file) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
            throw bad(file, "field '" + field + "' must be a positive integer, got " + (v == null ? "nothing" : v));
        }
        return v.asInt();
    }

    private static double number(JsonNode n, String field, Path file, double fallback) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw bad(file, "field '" + field + "' must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static void requireFalse(JsonNode n, String field, Path file, String why) {
        JsonNode v = n.get(field);
        if (v != null && v.asBoolean(false)) {
            throw bad(file, "field '" + field + "' is true; " + why);
        }
    }

    private static void requireEmpty(JsonNode n, String field, Path file) {
        JsonNode v = n.get(field);
        if (v != null && !v.isNull() && !(v.isContainerNode() && v.isEmpty())) {
            throw bad(file, "field '" + field + "' is " + v + "; PathoReason supports adapters without it");
        }
    }

    private static Map<String, JsonNode> pattern(JsonNode n, String field, Path file) {
        JsonNode v = n.get(field);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw bad(file, "field '" + field + "' must be an object of module pattern to value, got " + v);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}

package org.pathoreason.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Resolves a config record from three layers, later ones winning: the record's defaults, a YAML or JSON file, and
 * {@code key=value} overrides from the command line ({@code --set train.lr=2e-5}; dotted keys reach nested
 * sections, values are read as YAML scalars or flow lists: {@code 2e-5}, {@code true}, {@code [a, b]}).
 *
 * <p>Works for any record (or tree of records) that Jackson can read, so stage configs compose by nesting:
 * {@code record SftConfig(TrainConfig train, SftOptions sft)} with {@code defaults()} built from the parts'
 * defaults. Unknown keys are errors naming the key and where it came from (the file or the override); so are
 * values of the wrong type and values the record's constructor rejects.
 */
public final class ConfigLoader {

    /** Converts trees to records strictly: unknown keys and nulls for numbers fail. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final YAMLMapper YAML = new YAMLMapper();

    private ConfigLoader() {
    }

    /**
     * A resolved config and how it was made.
     *
     * @param config the record
     * @param tree the record as JSON, every key present (what {@code run.json} stores)
     * @param file the config file, or null
     * @param overrides the {@code key=value} overrides applied, in order
     */
    public record Resolved<T>(T config, JsonNode tree, Path file, List<String> overrides) {

        public Resolved {
            overrides = List.copyOf(overrides);
        }
    }

    /**
     * Loads a config.
     *
     * @param defaults the values of keys neither the file nor the overrides set
     * @param file a YAML ({@code .yaml}, {@code .yml}) or JSON file, or null for none
     * @param overrides {@code key=value} strings, applied in order after the file
     * @throws IllegalArgumentException for any problem, with a message naming the file or override and the key
     */
    public static <T> Resolved<T> load(Class<T> type, T defaults, Path file, List<String> overrides) {
        ObjectNode tree = STRICT.valueToTree(defaults);
        if (file != null) {
            merge(tree, readFile(file), file.toString());
            // Convert once here so that a bad key in the file is blamed on the file, not on an override.
            convert(type, tree, "config " + file, null);
        }
        for (String override : overrides) {
            applyOverride(tree, override);
        }
        T config = convert(type, tree, overrides.isEmpty() ? "config" : "--set", overrides);
        return new Resolved<>(config, STRICT.valueToTree(config), file, overrides);
    }

    /** Reads the JSON tree of a config file (YAML is a superset of JSON, so one parser reads both). */
    public static ObjectNode readFile(Path file) {
        JsonNode node;
        try {
            node = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config file not found: " + file);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            throw new IllegalArgumentException("config " + file + where + ": not valid YAML/JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config " + file + ": " + e.getMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new IllegalArgumentException("config " + file + ": expected a mapping of keys to values at the top, "
                    + "got " + node.getNodeType().toString().toLowerCase());
        }
        return obj;
    }

    /** The JSON tree of a config record, every key present (nulls included). */
    public static ObjectNode toTree(Object config) {
        return STRICT.valueToTree(config);
    }

    private static void applyOverride(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set expects KEY=VALUE, got '" + override + "'");
        }
        String key = override.substring(0, eq).trim();
        String text = override.substring(eq + 1).trim();
        String[] path = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            if (!(child instanceof ObjectNode obj)) {
                String prefix = String.join(".", List.of(path).subList(0, i + 1));
                throw new IllegalArgumentException("--set " + override + ": '" + prefix + "' is "
                        + (child == null ? "not a known section" : "not a section") + "; known keys: "
                        + keysOf(node));
            }
            node = obj;
        }
        node.set(path[path.length - 1], parseValue(text));
    }

    private static JsonNode parseValue(String text) {
        if (text.isEmpty()) {
            return TextNode.valueOf("");
        }
        try {
            JsonNode v = YAML.readTree(text);
            return v == null || v.isMissingNode() ? TextNode.valueOf(text) : v;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
    }

    /** Deep merge: objects merge key by key, anything else replaces. */
    private static void merge(ObjectNode into, ObjectNode from, String source) {
        Iterator<Map.Entry<String, JsonNode>> it = from.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode target && e.getValue() instanceof ObjectNode src) {
                merge(target, src, source);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }

    private static <T> T convert(Class<T> type, ObjectNode tree, String source, List<String> overrides) {
        try {
            return STRICT.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            String key = path(e);
            throw new IllegalArgumentException(blame(source, key, overrides) + ": unknown key '" + key
                    + "'; known keys" + (key.contains(".") ? " there" : "") + ": "
                    + new TreeSet<>(e.getKnownPropertyIds().stream().map(String::valueOf).toList()));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String section = path(e);
            throw new IllegalArgumentException(blame(source, null, overrides) + ": "
                    + (section.isEmpty() ? "" : section + ".") + cause.getMessage());
        } catch (InvalidFormatException e) {
            String key = path(e);
            throw new IllegalArgumentException(blame(source, key, overrides) + ": key '" + key + "' must be "
                    + typeName(e.getTargetType()) + ", got '" + e.getValue() + "'");
        } catch (MismatchedInputException e) {
            String key = path(e);
            throw new IllegalArgumentException(blame(source, key, overrides) + ": key '" + key + "' must be "
                    + typeName(e.getTargetType()) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": " + e.getOriginalMessage());
        }
    }

    /** The override that set {@code key}, when one did; else the source. */
    private static String blame(String source, String key, List<String> overrides) {
        if (overrides != null && key != null) {
            for (int i = overrides.size() - 1; i >= 0; i--) {
                String o = overrides.get(i);
                int eq = o.indexOf('=');
                if (eq > 0 && o.substring(0, eq).trim().equals(key)) {
                    return "--set " + o;
                }
            }
        }
        return overrides != null && !overrides.isEmpty() ? "config with --set " + String.join(" ", overrides) : source;
    }

    private static String path(JsonMappingException e) {
        List<String> parts = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) {
            parts.add(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return String.join(".", parts).replace(".[", "[");
    }

    private static String typeName(Class<?> t) {
        if (t == null) {
            return "a value of another type";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(t)) {
            return "a list";
        }
        return "a " + t.getSimpleName();
    }

    private static String keysOf(ObjectNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys.toString();
    }
}

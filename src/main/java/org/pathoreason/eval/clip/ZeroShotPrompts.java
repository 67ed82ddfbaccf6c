package org.pathoreason.eval.clip;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pathoreason.data.DataException;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.util.Json;

/**
 * The class names and templates of a zero-shot classifier: every template with {@code CLASSNAME} replaced by every
 * name of a class is one prompt of that class. Read from CONCH's prompt files
 * ({@code {"0": {"classnames": {label: [synonym, ...]}, "templates": ["... CLASSNAME ...", ...]}}}), from Quilt-1M's
 * class-name file ({@code {dataset: [class name, ...]}}, one dataset chosen, with {@link #DEFAULT_TEMPLATES}), or
 * from a knowledge graph's diagnoses (id as label, name and synonyms as names).
 *
 * @param classes label to its names, in class order
 */
public record ZeroShotPrompts(Map<String, List<String>> classes, List<String> templates) {

    /** The placeholder templates carry. */
    public static final String PLACEHOLDER = "CLASSNAME";

    /** Templates for files without their own: plain and histology-flavoured phrasings. */
    public static final List<String> DEFAULT_TEMPLATES = List.of("CLASSNAME.", "a histopathology image of CLASSNAME.",
            "an H&E image of CLASSNAME.", "a photomicrograph (H&E) of CLASSNAME.",
            "CLASSNAME, haematoxylin and eosin stain.");

    public ZeroShotPrompts {
        if (classes.size() < 2) {
            throw new DataException("zero-shot classification needs at least 2 classes, got " + classes.size());
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        classes.forEach((k, v) -> {
            if (v.isEmpty()) {
                throw new DataException("class '" + k + "' has no names");
            }
            copy.put(k, List.copyOf(v));
        });
        classes = java.util.Collections.unmodifiableMap(copy);
        templates = List.copyOf(templates);
        if (templates.isEmpty()) {
            throw new DataException("no prompt templates");
        }
        for (String t : templates) {
            if (!t.contains(PLACEHOLDER)) {
                throw new DataException("template '" + t + "' has no " + PLACEHOLDER);
            }
        }
    }

    public List<String> labels() {
        return List.copyOf(classes.keySet());
    }

    /** The prompts of class {@code label}: templates times names. */
    public List<String> prompts(String label) {
        List<String> out = new ArrayList<>();
        for (String name : classes.get(label)) {
            for (String t : templates) {
                out.add(t.replace(PLACEHOLDER, name));
            }
        }
        return out;
    }

    /**
     * Reads a prompt file: CONCH's format, or Quilt's class-name file with {@code dataset} naming one of its keys
     * (null when the file is CONCH's).
     */
    public static ZeroShotPrompts read(Path file, String dataset) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new DataException(file + ": cannot read a prompt file: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new DataException(file + ": expected a JSON object (CONCH's prompt file or Quilt's class names)");
        }
        JsonNode first = root.elements().next();
        if (first.isObject() && first.has("classnames")) {
            JsonNode entry = dataset != null ? root.get(dataset) : root.has("0") ? root.get("0") : first;
            if (entry == null) {
                throw new DataException(file + ": no entry '" + dataset + "'");
            }
            return conch(entry, file);
        }
        if (first.isArray()) {
            if (dataset == null) {
                throw new DataException(file + ": a class-name file with datasets " + names(root)
                        + "; choose one (--dataset NAME)");
            }
            JsonNode list = root.get(dataset);
            if (list == null || !list.isArray()) {
                throw new DataException(file + ": no dataset '" + dataset + "' (datasets: " + names(root) + ")");
            }
            Map<String, List<String>> classes = new LinkedHashMap<>();
            for (JsonNode n : list) {
                classes.put(n.asText(), List.of(n.asText()));
            }
            return new ZeroShotPrompts(classes, DEFAULT_TEMPLATES);
        }
        throw new DataException(file + ": neither CONCH's prompt format ({\"0\": {\"classnames\": ..., \"templates\": "
                + "...}}) nor Quilt's class names ({dataset: [names]})");
    }

    private static ZeroShotPrompts conch(JsonNode entry, Path file) {
        JsonNode names = entry.get("classnames");
        JsonNode templates = entry.get("templates");
        if (names == null || !names.isObject() || templates == null || !templates.isArray()) {
            throw new DataException(file + ": a CONCH entry needs \"classnames\" (label: [names]) and \"templates\"");
        }
        Map<String, List<String>> classes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = names.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> syn = new ArrayList<>();
            if (e.getValue().isArray()) {
                e.getValue().forEach(n -> syn.add(n.asText()));
            } else {
                syn.add(e.getValue().asText());
            }
            classes.put(e.getKey(), syn);
        }
        List<String> t = new ArrayList<>();
        templates.forEach(n -> t.add(n.asText()));
        return new ZeroShotPrompts(classes, t);
    }

    /** The diagnoses of a knowledge graph (id: name and synonyms) with {@code templates}. */
    public static ZeroShotPrompts fromGraph(KnowledgeGraph graph, List<String> templates) {
        Map<String, List<String>> classes = new LinkedHashMap<>();
        for (Entity e : graph.entitiesOfType(Entity.DIAGNOSIS)) {
            List<String> n = new ArrayList<>();
            n.add(e.name());
            n.addAll(e.synonyms());
            classes.put(e.id(), n);
        }
        return new ZeroShotPrompts(classes, templates);
    }

    /** The class of a sample's label: the label itself, or a class whose label or names match ignoring case and _. */
    public String classOf(String label) {
        if (label == null) {
            return null;
        }
        if (classes.containsKey(label)) {
            return label;
        }
        String want = normal(label);
        for (Map.Entry<String, List<String>> e : classes.entrySet()) {
            if (normal(e.getKey()).equals(want) || e.getValue().stream().anyMatch(n -> normal(n).equals(want))) {
                return e.getKey();
            }
        }
        return null;
    }

    private static String normal(String s) {
        return s.replace('_', ' ').trim().toLowerCase(Locale.ROOT);
    }

    private static List<String> names(JsonNode root) {
        List<String> out = new ArrayList<>();
        root.fieldNames().forEachRemaining(out::add);
        return out;
    }
}

package org.pathoreason.knowledge;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * The graph's own JSON format (see {@code package-info}). Records are parsed one at a time from a streaming parser
 * so that every error can name the line and column of the record at fault.
 */
final class JsonGraphFormat {

    private static final Set<String> ENTITY_FIELDS = Set.of("id", "name", "type", "synonyms");

    private JsonGraphFormat() {
    }

    private record Located(JsonNode node, JsonLocation where, int index) {
    }

    static KnowledgeGraph read(InputStream in, String source) throws IOException {
        KnowledgeGraph.Builder builder = KnowledgeGraph.builder().name(GraphFormats.baseName(source));
        List<Located> entities = null;
        List<Located> relations = null;
        try (JsonParser p = Json.MAPPER.createParser(in)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw error(source, p.currentTokenLocation(), "expected a JSON object with 'entities' and 'relations'");
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "name" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw error(source, p.currentTokenLocation(), "'name' must be a string");
                        }
                        builder.name(p.getText());
                    }
                    case "entities" -> entities = readArray(p, source, "entities");
                    case "relations" -> relations = readArray(p, source, "relations");
                    default -> p.skipChildren(); // free metadata (description, version, source, ...)
                }
            }
            JsonLocation end = p.currentTokenLocation();
            if (p.nextToken() != null) {
                throw error(source, p.currentTokenLocation(), "unexpected content after the graph object");
            }
            if (entities == null || relations == null) {
                throw error(source, end, "missing field '" + (entities == null ? "entities" : "relations")
                        + "' (expected {\"entities\": [...], \"relations\": [...]})");
            }
        } catch (JsonProcessingException e) {
            throw error(source, e.getLocation(), "malformed JSON: " + e.getOriginalMessage());
        }
        for (Located e : entities) {
            try {
                builder.addEntity(entity(e.node()));
            } catch (IllegalArgumentException | NullPointerException ex) {
                throw error(source, e.where(), "entities[" + e.index() + "]: " + ex.getMessage());
            }
        }
        for (Located r : relations) {
            try {
                builder.addRelation(relation(r.node()));
            } catch (IllegalArgumentException | NullPointerException ex) {
                throw error(source, r.where(), "relations[" + r.index() + "]: " + ex.getMessage());
            }
        }
        return builder.build();
    }

    private static List<Located> readArray(JsonParser p, String source, String field) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error(source, p.currentTokenLocation(), "'" + field + "' must be an array");
        }
        List<Located> list = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            JsonLocation where = p.currentTokenLocation();
            if (t != JsonToken.START_OBJECT) {
                throw error(source, where, field + "[" + list.size() + "]: expected an object, found " + t);
            }
            JsonNode node = p.readValueAsTree();
            list.add(new Located(node, where, list.size()));
        }
        return list;
    }

    private static Entity entity(JsonNode n) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ENTITY_FIELDS.contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "' (expected id, name, type, synonyms)");
            }
        }
        List<String> synonyms = new ArrayList<>();
        JsonNode syn = n.get("synonyms");
        if (syn != null && !syn.isNull()) {
            if (!syn.isArray()) {
                throw new IllegalArgumentException("'synonyms' must be an array of strings");
            }
            for (JsonNode s : syn) {
                if (!s.isTextual()) {
                    throw new IllegalArgumentException("'synonyms' must be an array of strings, found " + s);
                }
                synonyms.add(s.asText());
            }
        }
        return new Entity(text(n, "id"), text(n, "name"), text(n, "type"), synonyms);
    }

    private static Relation relation(JsonNode n) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            if (key.equals("head") || key.equals("relation") || key.equals("tail")) {
                continue;
            }
            JsonNode v = f.getValue();
            if (!v.isValueNode() || v.isNull()) {
                throw new IllegalArgumentException("attribute '" + key + "' must be a string, number or boolean");
            }
            attributes.put(key, v.asText());
        }
        return new Relation(text(n, "head"), text(n, "relation"), text(n, "tail"), attributes);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string, found " + v);
        }
        return v.asText();
    }

    private static GraphException error(String source, JsonLocation where, String problem) {
        if (where == null) {
            return new GraphException(source + ": " + problem);
        }
        return new GraphException(source + ":" + where.getLineNr() + ":" + where.getColumnNr() + ": " + problem);
    }

    /** Writes one entity or relation per line, so the files diff well. */
    static void write(KnowledgeGraph graph, Path file) {
        AtomicFiles.write(file, out -> {
            Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write("{\n  \"name\": " + Json.MAPPER.writeValueAsString(graph.name()) + ",\n  \"entities\": [");
            String sep = "\n    ";
            for (Entity e : graph.entities()) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("id", e.id()).put("name", e.name()).put("type", e.type());
                if (!e.synonyms().isEmpty()) {
                    ArrayNode a = o.putArray("synonyms");
                    e.synonyms().forEach(a::add);
                }
                w.write(sep + Json.MAPPER.writeValueAsString(o));
                sep = ",\n    ";
            }
            w.write(graph.entityCount() == 0 ? "],\n  \"relations\": [" : "\n  ],\n  \"relations\": [");
            sep = "\n    ";
            for (Relation r : graph.relations()) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                o.put("head", r.head()).put("relation", r.type()).put("tail", r.tail());
                for (Map.Entry<String, String> a : r.attributes().entrySet()) {
                    // true/false go back out as JSON booleans; everything else as written
                    switch (a.getValue()) {
                        case "true" -> o.put(a.getKey(), true);
                        case "false" -> o.put(a.getKey(), false);
                        default -> o.put(a.getKey(), a.getValue());
                    }
                }
                w.write(sep + Json.MAPPER.writeValueAsString(o));
                sep = ",\n    ";
            }
            w.write(graph.relationCount() == 0 ? "]\n}\n" : "\n  ]\n}\n");
            w.flush();
        });
    }
}

package org.pathoreason.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable graph of typed {@link Entity entities} and typed, directed {@link Relation relations}, indexed for
 * look-up by id, by name or synonym, by type, and by incoming and outgoing edges. Iteration orders follow the
 * order in which things were added, so everything built on a graph is deterministic.
 *
 * <p>Load one with {@link #load(Path)} (JSON, TSV, PrimeKG {@code kg.csv} or OWL; see {@code package-info}) or
 * build one with {@link #builder()}.
 */
public final class KnowledgeGraph {

    private final String name;
    private final Map<String, Entity> entities;
    private final List<Relation> relations;
    private final Map<String, List<Relation>> outgoing;
    private final Map<String, List<Relation>> incoming;
    private final Map<String, Entity> byFoldedName;
    private final Map<String, List<Entity>> byType;

    private KnowledgeGraph(Builder b) {
        this.name = b.name;
        this.entities = Collections.unmodifiableMap(new LinkedHashMap<>(b.entities));
        this.relations = Collections.unmodifiableList(new ArrayList<>(b.relations));
        Map<String, List<Relation>> out = new HashMap<>();
        Map<String, List<Relation>> in = new HashMap<>();
        for (Relation r : relations) {
            out.computeIfAbsent(r.head(), k -> new ArrayList<>()).add(r);
            in.computeIfAbsent(r.tail(), k -> new ArrayList<>()).add(r);
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        in.replaceAll((k, v) -> Collections.unmodifiableList(v));
        this.outgoing = out;
        this.incoming = in;
        // Names first, then synonyms, so an entity's own name is never shadowed by another's synonym.
        Map<String, Entity> names = new HashMap<>();
        for (Entity e : entities.values()) {
            names.putIfAbsent(Names.fold(e.name()), e);
        }
        for (Entity e : entities.values()) {
            for (String s : e.synonyms()) {
                names.putIfAbsent(Names.fold(s), e);
            }
        }
        this.byFoldedName = names;
        Map<String, List<Entity>> types = new LinkedHashMap<>();
        for (Entity e : entities.values()) {
            types.computeIfAbsent(e.type(), k -> new ArrayList<>()).add(e);
        }
        types.replaceAll((k, v) -> Collections.unmodifiableList(v));
        this.byType = Collections.unmodifiableMap(types);
    }

    /**
     * Loads a graph file, choosing the reader by extension ({@code .json}, {@code .tsv}/{@code .txt},
     * {@code .csv} for PrimeKG, {@code .owl}/{@code .rdf}/{@code .xml}), each optionally gzipped ({@code .gz}),
     * else by the first bytes.
     *
     * @throws GraphException naming the file and line when the file is malformed
     */
    public static KnowledgeGraph load(Path file) {
        return GraphFormats.load(file);
    }

    /**
     * Reads the JSON format from a stream; {@code sourceName} is used in error messages and as the default name.
     *
     * @throws GraphException naming the source, line and column when the JSON is malformed
     */
    public static KnowledgeGraph loadJson(InputStream in, String sourceName) {
        try {
            return JsonGraphFormat.read(in, sourceName);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sourceName + ": " + e.getMessage(), e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Writes the graph in the JSON format, atomically. */
    public void writeJson(Path file) {
        JsonGraphFormat.write(this, file);
    }

    /** The graph's name (from the file, or the file name), never null. */
    public String name() {
        return name;
    }

    public Optional<Entity> entity(String id) {
        return Optional.ofNullable(entities.get(id));
    }

    /**
     * The entity with this name or synonym, compared case-insensitively with hyphens and runs of white space read
     * as one space. A canonical name wins over another entity's synonym; otherwise the first added wins.
     */
    public Optional<Entity> byName(String nameOrSynonym) {
        return Optional.ofNullable(byFoldedName.get(Names.fold(nameOrSynonym)));
    }

    /** The entity with this id, else with this name or synonym. */
    public Optional<Entity> resolve(String idOrName) {
        Entity e = entities.get(idOrName);
        return e != null ? Optional.of(e) : byName(idOrName);
    }

    /** Every entity, in insertion order. */
    public Collection<Entity> entities() {
        return entities.values();
    }

    public List<Entity> entitiesOfType(String type) {
        return byType.getOrDefault(type, List.of());
    }

    /** The entity types present, in order of first appearance. */
    public List<String> types() {
        return List.copyOf(byType.keySet());
    }

    /** Every relation, in insertion order. */
    public List<Relation> relations() {
        return relations;
    }

    /** Relations whose head is {@code id}. */
    public List<Relation> outgoing(String id) {
        return outgoing.getOrDefault(id, List.of());
    }

    /** Relations whose tail is {@code id}. */
    public List<Relation> incoming(String id) {
        return incoming.getOrDefault(id, List.of());
    }

    public List<Relation> outgoing(String id, String relationType) {
        return ofType(outgoing(id), relationType);
    }

    public List<Relation> incoming(String id, String relationType) {
        return ofType(incoming(id), relationType);
    }

    public int entityCount() {
        return entities.size();
    }

    public int relationCount() {
        return relations.size();
    }

    /** The entity's name, or the id itself when there is no such entity. */
    public String nameOf(String id) {
        Entity e = entities.get(id);
        return e == null ? id : e.name();
    }

    private static List<Relation> ofType(List<Relation> list, String type) {
        List<Relation> result = new ArrayList<>();
        for (Relation r : list) {
            if (r.type().equals(type)) {
                result.add(r);
            }
        }
        return result;
    }

    @Override
    public String toString() {
        return "KnowledgeGraph[" + name + ": " + entities.size() + " entities, " + relations.size() + " relations]";
    }

    /**
     * Collects entities and relations. Entities must be added before the relations that name them. Adding an
     * entity again with identical data is allowed (PrimeKG repeats nodes on every edge); with different data it
     * is an error. Methods throw {@link IllegalArgumentException} with a message readers prefix with file and line.
     */
    public static final class Builder {

        private String name = "graph";
        private final Map<String, Entity> entities = new LinkedHashMap<>();
        private final List<Relation> relations = new ArrayList<>();

        private Builder() {
        }

        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder addEntity(Entity entity) {
            Entity old = entities.putIfAbsent(entity.id(), entity);
            if (old != null && !old.equals(entity)) {
                throw new IllegalArgumentException("entity id '" + entity.id() + "' is defined twice with different data: "
                        + describe(old) + " and " + describe(entity));
            }
            return this;
        }

        public Builder addEntity(String id, String name, String type, String... synonyms) {
            return addEntity(new Entity(id, name, type, List.of(synonyms)));
        }

        /** The stored entity with this id (the first instance added), or null. */
        public Entity entity(String id) {
            return entities.get(id);
        }

        public boolean hasEntity(String id) {
            return entities.containsKey(id);
        }

        public Builder addRelation(Relation relation) {
            if (!entities.containsKey(relation.head())) {
                throw new IllegalArgumentException("relation head '" + relation.head() + "' is not a known entity id");
            }
            if (!entities.containsKey(relation.tail())) {
                throw new IllegalArgumentException("relation tail '" + relation.tail() + "' is not a known entity id");
            }
            relations.add(relation);
            return this;
        }

        public Builder addRelation(String head, String type, String tail) {
            return addRelation(new Relation(head, type, tail));
        }

        public Builder addRelation(String head, String type, String tail, Map<String, String> attributes) {
            return addRelation(new Relation(head, type, tail, attributes));
        }

        public KnowledgeGraph build() {
            return new KnowledgeGraph(this);
        }

        private static String describe(Entity e) {
            return "{name='" + e.name() + "', type=" + e.type() + ", synonyms=" + e.synonyms() + "}";
        }
    }
}

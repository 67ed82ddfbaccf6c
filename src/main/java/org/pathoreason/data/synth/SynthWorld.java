package org.pathoreason.data.synth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.pathoreason.data.DataException;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.Relation;

/**
 * The synthetic pathology world: a knowledge graph whose diagnoses are defined by drawable findings. A diagnosis
 * {@code d} has required findings {@code req(d)} and optional ones {@code opt(d)} ({@code has_finding} with
 * {@code required=true|false}). A set of visible findings {@code S} is <em>consistent</em> with {@code d} when
 * {@code req(d) ⊆ S ⊆ req(d) ∪ opt(d)}; a case is only ever drawn when exactly one diagnosis is consistent with
 * its findings, so the diagnosis follows from what the image shows plus the graph.
 */
public final class SynthWorld {

    /** Classpath location of the built-in mini-graph. */
    public static final String BUILT_IN_RESOURCE = "/org/pathoreason/data/synth/pathology-mini-graph.json";

    private final KnowledgeGraph graph;
    private final List<String> diagnoses;
    private final Map<String, List<String>> required = new LinkedHashMap<>();
    private final Map<String, List<String>> optional = new LinkedHashMap<>();
    private final Map<String, Set<String>> allowed = new LinkedHashMap<>();
    private final Map<String, Set<Finding>> findingsById = new LinkedHashMap<>();

    /**
     * A world over a graph. Every finding entity must be one the renderer can draw (its id a {@link Finding} id),
     * every diagnosis needs at least one required finding, and no two diagnoses may be told apart by nothing.
     *
     * @throws DataException naming the graph and the entity at fault
     */
    public SynthWorld(KnowledgeGraph graph) {
        this.graph = graph;
        for (Entity f : graph.entitiesOfType(Entity.FINDING)) {
            if (Finding.byId(f.id()).isEmpty()) {
                throw new DataException(graph.name() + ": finding '" + f.id() + "' (" + f.name()
                        + ") cannot be drawn by the tile renderer; drawable finding ids are " + drawableIds());
            }
        }
        List<String> ds = new ArrayList<>();
        for (Entity d : graph.entitiesOfType(Entity.DIAGNOSIS)) {
            List<String> req = new ArrayList<>();
            List<String> opt = new ArrayList<>();
            for (Relation r : graph.outgoing(d.id(), Relation.HAS_FINDING)) {
                Entity tail = graph.entity(r.tail()).orElseThrow();
                if (!Entity.FINDING.equals(tail.type())) {
                    throw new DataException(graph.name() + ": " + d.id() + " has_finding " + tail.id()
                            + ", which is a " + tail.type() + ", not a finding");
                }
                (r.required() ? req : opt).add(tail.id());
            }
            if (req.isEmpty()) {
                throw new DataException(graph.name() + ": diagnosis '" + d.id()
                        + "' has no required finding (has_finding with required=true)");
            }
            ds.add(d.id());
            required.put(d.id(), List.copyOf(req));
            optional.put(d.id(), List.copyOf(opt));
            Set<String> all = new LinkedHashSet<>(req);
            all.addAll(opt);
            allowed.put(d.id(), Collections.unmodifiableSet(all));
        }
        if (ds.size() < 4) {
            throw new DataException(graph.name() + ": the world needs at least 4 diagnoses for 4-option questions, "
                    + "found " + ds.size());
        }
        this.diagnoses = List.copyOf(ds);
        for (String d : diagnoses) {
            List<String> others = consistentDiagnoses(new LinkedHashSet<>(required.get(d)));
            if (!others.equals(List.of(d))) {
                throw new DataException(graph.name() + ": diagnosis '" + d + "' cannot be told apart from "
                        + others.stream().filter(o -> !o.equals(d)).toList()
                        + " by its required findings alone; give one of them a distinguishing required finding");
            }
        }
    }

    /** The world of the built-in pathology mini-graph. */
    public static SynthWorld builtIn() {
        try (InputStream in = SynthWorld.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("built-in graph resource missing: " + BUILT_IN_RESOURCE);
            }
            return new SynthWorld(KnowledgeGraph.loadJson(in, "pathology-mini-graph.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The world of a graph file (any format {@link KnowledgeGraph#load} reads). */
    public static SynthWorld load(Path graphFile) {
        return new SynthWorld(KnowledgeGraph.load(graphFile));
    }

    public KnowledgeGraph graph() {
        return graph;
    }

    /** Diagnosis ids in graph order. */
    public List<String> diagnoses() {
        return diagnoses;
    }

    public List<String> required(String diagnosis) {
        return checked(required, diagnosis);
    }

    public List<String> optional(String diagnosis) {
        return checked(optional, diagnosis);
    }

    /** Required and optional findings of a diagnosis. */
    public Set<String> allowed(String diagnosis) {
        Set<String> all = allowed.get(diagnosis);
        if (all == null) {
            throw new IllegalArgumentException("not a diagnosis of graph " + graph.name() + ": " + diagnosis);
        }
        return all;
    }

    /** Every finding id of the graph, in graph order. */
    public List<String> findings() {
        return graph.entitiesOfType(Entity.FINDING).stream().map(Entity::id).toList();
    }

    /** Diagnoses consistent with a set of visible findings (normally exactly one). */
    public List<String> consistentDiagnoses(Set<String> visible) {
        List<String> out = new ArrayList<>();
        for (String d : diagnoses) {
            if (visible.containsAll(required.get(d)) && allowed.get(d).containsAll(visible)) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Why a diagnosis does not fit the visible findings: a sentence naming a missing required finding or a visible
     * finding that is not one of its features; empty when it fits.
     */
    public String whyNot(String diagnosis, Set<String> visible) {
        for (String f : required(diagnosis)) {
            if (!visible.contains(f)) {
                return "its required finding, " + name(f) + ", is not seen";
            }
        }
        Set<String> allowed = allowed(diagnosis);
        for (String f : visible) {
            if (!allowed.contains(f)) {
                return "it does not explain the " + name(f) + " seen here, which is not one of its findings";
            }
        }
        return "";
    }

    /** Differential diagnoses from the graph ({@code differential_of}, either direction), in graph order. */
    public List<String> differentials(String diagnosis) {
        Set<String> out = new LinkedHashSet<>();
        for (Relation r : graph.outgoing(diagnosis, Relation.DIFFERENTIAL_OF)) {
            out.add(r.tail());
        }
        for (Relation r : graph.incoming(diagnosis, Relation.DIFFERENTIAL_OF)) {
            out.add(r.head());
        }
        out.retainAll(diagnoses);
        return List.copyOf(out);
    }

    /** Diagnoses a finding points to ({@code suggests}). */
    public List<String> suggests(String finding) {
        List<String> out = new ArrayList<>();
        for (Relation r : graph.outgoing(finding, Relation.SUGGESTS)) {
            if (diagnoses.contains(r.tail())) {
                out.add(r.tail());
            }
        }
        return out;
    }

    /** Categories a diagnosis belongs to ({@code is_a}), nearest first. */
    public List<String> categories(String diagnosis) {
        List<String> out = new ArrayList<>();
        String current = diagnosis;
        for (int depth = 0; depth < 4; depth++) {
            List<Relation> up = graph.outgoing(current, Relation.IS_A);
            if (up.isEmpty()) {
                break;
            }
            current = up.get(0).tail();
            if (out.contains(current)) {
                break;
            }
            out.add(current);
        }
        return out;
    }

    /** Canonical name of an entity. */
    public String name(String id) {
        return graph.nameOf(id);
    }

    /** The drawable findings of a set of finding ids. */
    public Set<Finding> drawable(Set<String> findingIds) {
        Set<Finding> out = EnumSet.noneOf(Finding.class);
        for (String id : findingIds) {
            out.add(Finding.byId(id).orElseThrow(() -> new IllegalArgumentException("not a drawable finding: " + id)));
        }
        return out;
    }

    /**
     * Every subset of the diagnosis's optional findings that, with its required findings, is consistent with this
     * diagnosis alone; each as a sorted list of finding ids. Deterministic order.
     */
    public List<List<String>> optionalCombinations(String diagnosis) {
        List<String> opt = optional(diagnosis);
        if (opt.size() > 16) {
            throw new DataException(graph.name() + ": diagnosis '" + diagnosis + "' has " + opt.size()
                    + " optional findings; at most 16 are supported");
        }
        List<List<String>> out = new ArrayList<>();
        for (int mask = 0; mask < (1 << opt.size()); mask++) {
            List<String> combo = new ArrayList<>();
            for (int i = 0; i < opt.size(); i++) {
                if ((mask & (1 << i)) != 0) {
                    combo.add(opt.get(i));
                }
            }
            Set<String> visible = new LinkedHashSet<>(required(diagnosis));
            visible.addAll(combo);
            if (consistentDiagnoses(visible).equals(List.of(diagnosis))) {
                Collections.sort(combo);
                out.add(List.copyOf(combo));
            }
        }
        return out;
    }

    /** A random element, for callers that sample from lists. */
    public static <T> T pick(List<T> list, SplittableRandom rnd) {
        return list.get(rnd.nextInt(list.size()));
    }

    /** Capitalises the first letter, for option texts ("acute inflammation" -> "Acute inflammation"). */
    public static String capitalise(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    private List<String> checked(Map<String, List<String>> map, String diagnosis) {
        List<String> v = map.get(diagnosis);
        if (v == null) {
            throw new IllegalArgumentException("not a diagnosis of graph " + graph.name() + ": " + diagnosis);
        }
        return v;
    }

    private static String drawableIds() {
        List<String> ids = new ArrayList<>();
        for (Finding f : Finding.values()) {
            ids.add(f.id());
        }
        return String.join(", ", ids);
    }
}

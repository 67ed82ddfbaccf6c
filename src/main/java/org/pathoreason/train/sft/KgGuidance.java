package org.pathoreason.train.sft;

import org.pathoreason.data.Task;

import org.pathoreason.train.TrajectoryMasking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.pathoreason.data.Sample;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.EntityMatcher;
import org.pathoreason.knowledge.GraphPath;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.PathFinder;

/**
 * Guidance computed from a knowledge graph, for samples that do not carry {@code meta.guidance}: the paths from the
 * sample's entities (its {@code entities}, by id, name or synonym) to the entity of its answer (for multiple choice
 * the right option's text, otherwise the answer text, found by name or by the entity matcher), each rendered as
 * {@link GraphPath#toString()}, e.g. {@code caseous necrosis -[suggests]-> caseating granulomatous inflammation}.
 * This is the kind of guidance a teacher is shown when it writes a trajectory; {@link TrajectoryMasking} then keeps
 * it out of the training prompt (or, with {@code guidance: keep}, puts it in).
 */
public final class KgGuidance {

    private final KnowledgeGraph graph;
    private final PathFinder finder;
    private final PathFinder.Options options;
    private final int maxPaths;
    private final EntityMatcher matcher;
    private final Map<String, Optional<Entity>> resolved = new HashMap<>();

    /**
     * @param options path length, direction and relation types
     * @param maxPaths most paths per sample (shortest first, as the path finder orders them)
     */
    public KgGuidance(KnowledgeGraph graph, PathFinder.Options options, int maxPaths) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.finder = new PathFinder(graph);
        this.options = Objects.requireNonNull(options, "options");
        if (maxPaths < 1) {
            throw new IllegalArgumentException("guidance paths per sample must be >= 1, got " + maxPaths);
        }
        this.maxPaths = maxPaths;
        this.matcher = EntityMatcher.forGraph(graph);
    }

    /** Paths up to three steps, walked in both directions, at most 2 per pair, 8 per sample. */
    public static KgGuidance defaults(KnowledgeGraph graph) {
        return new KgGuidance(graph, PathFinder.Options.defaults().withMaxLength(3).withMaxPathsPerPair(2)
                .withDirection(PathFinder.Direction.BOTH), 8);
    }

    /** The rendered paths for a sample; empty when its entities or its answer are not in the graph. */
    public List<String> guidance(Sample sample) {
        Set<String> targets = answerEntities(sample);
        if (targets.isEmpty()) {
            return List.of();
        }
        Set<String> sources = new LinkedHashSet<>();
        for (String e : sample.entities()) {
            resolve(e).map(Entity::id).filter(id -> !targets.contains(id)).ifPresent(sources::add);
        }
        if (sources.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (GraphPath p : finder.paths(sources, targets, options)) {
            if (out.size() == maxPaths) {
                break;
            }
            out.add(p.toString());
        }
        return out;
    }

    /**
     * A copy of the sample with {@code meta.guidance} set to the graph's paths, unless it already has guidance
     * or the graph has no path for it.
     */
    public Sample withGuidance(Sample sample) {
        if (sample.meta().containsKey(TrajectoryMasking.GUIDANCE_META_KEY)) {
            return sample;
        }
        List<String> g = guidance(sample);
        if (g.isEmpty()) {
            return sample;
        }
        Map<String, Object> meta = new HashMap<>(sample.meta());
        meta.put(TrajectoryMasking.GUIDANCE_META_KEY, g);
        return sample.withMeta(meta);
    }

    private Set<String> answerEntities(Sample s) {
        String text;
        if (Task.MCQ.equals(s.task())) {
            int i = Sample.letterIndex(s.answer());
            text = i >= 0 && i < s.options().size() ? s.options().get(i) : s.answerText();
        } else {
            text = s.answer();
        }
        Set<String> ids = new LinkedHashSet<>();
        if (text == null || text.isBlank()) {
            return ids;
        }
        Optional<Entity> whole = resolve(text.strip());
        if (whole.isPresent()) {
            ids.add(whole.get().id());
        } else {
            ids.addAll(matcher.entityIds(text));
        }
        return ids;
    }

    private Optional<Entity> resolve(String idOrName) {
        return resolved.computeIfAbsent(idOrName, graph::resolve);
    }
}

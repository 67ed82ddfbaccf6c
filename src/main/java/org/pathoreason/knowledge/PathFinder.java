package org.pathoreason.knowledge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Finds paths between entities, e.g. from the findings seen in an image to a candidate diagnosis, for
 * knowledge-guided reasoning.
 *
 * <p>Direction: {@link Direction#FORWARD} walks relations from head to tail only; {@link Direction#BOTH} may also
 * walk a relation from tail to head (shown as {@code <-[type]-}), which suits graphs whose edges are stated one way
 * only (a diagnosis {@code has_finding} a finding also links the finding to the diagnosis).
 *
 * <p>Order is deterministic: neighbours are tried in the graph's order, outgoing relations before incoming ones,
 * so the same graph and query always give the same paths. The same relation type between the same two entities
 * in the same direction is walked once even if the graph lists it twice. Paths are simple (no entity twice) and
 * a pair whose source is its target gives no path.
 */
public final class PathFinder {

    /** Which way relations may be walked. */
    public enum Direction { FORWARD, BOTH }

    /**
     * What to search for.
     *
     * @param maxLength longest path in steps (at least 1)
     * @param maxPathsPerPair most paths returned per source-target pair (at least 1)
     * @param direction which way relations may be walked
     * @param relationTypes relation types that may be walked; empty means all
     * @param shortestOnly true: only the shortest paths of each pair; false: every simple path up to
     *     {@code maxLength}, shortest first
     */
    public record Options(int maxLength, int maxPathsPerPair, Direction direction, Set<String> relationTypes,
                          boolean shortestOnly) {

        public Options {
            if (maxLength < 1) {
                throw new IllegalArgumentException("maxLength must be at least 1, got " + maxLength);
            }
            if (maxPathsPerPair < 1) {
                throw new IllegalArgumentException("maxPathsPerPair must be at least 1, got " + maxPathsPerPair);
            }
            Objects.requireNonNull(direction, "direction");
            relationTypes = relationTypes == null ? Set.of() : Set.copyOf(relationTypes);
        }

        /** Shortest paths of up to 3 steps, at most 5 per pair, both directions, every relation type. */
        public static Options defaults() {
            return new Options(3, 5, Direction.BOTH, Set.of(), true);
        }

        public Options withMaxLength(int n) {
            return new Options(n, maxPathsPerPair, direction, relationTypes, shortestOnly);
        }

        public Options withMaxPathsPerPair(int n) {
            return new Options(maxLength, n, direction, relationTypes, shortestOnly);
        }

        public Options withDirection(Direction d) {
            return new Options(maxLength, maxPathsPerPair, d, relationTypes, shortestOnly);
        }

        public Options withRelationTypes(Collection<String> types) {
            return new Options(maxLength, maxPathsPerPair, direction, Set.copyOf(types), shortestOnly);
        }

        public Options withShortestOnly(boolean only) {
            return new Options(maxLength, maxPathsPerPair, direction, relationTypes, only);
        }
    }

    private final KnowledgeGraph graph;

    public PathFinder(KnowledgeGraph graph) {
        this.graph = Objects.requireNonNull(graph, "graph");
    }

    /** Paths for every pair, grouped by source (in the given order) then target. Unknown ids are errors. */
    public List<GraphPath> paths(Collection<String> fromIds, Collection<String> toIds, Options options) {
        List<GraphPath> all = new ArrayList<>();
        for (String from : new LinkedHashSet<>(fromIds)) {
            for (String to : new LinkedHashSet<>(toIds)) {
                all.addAll(paths(from, to, options));
            }
        }
        return all;
    }

    /** Paths from one entity to another, shortest first. */
    public List<GraphPath> paths(String fromId, String toId, Options options) {
        require(fromId);
        require(toId);
        List<GraphPath> found = new ArrayList<>();
        if (fromId.equals(toId)) {
            return found;
        }
        Map<String, Integer> toTarget = distancesTo(toId, options);
        Integer shortest = toTarget.get(fromId);
        if (shortest == null) {
            return found;
        }
        int longest = options.shortestOnly() ? shortest : options.maxLength();
        List<String> nodes = new ArrayList<>();
        List<GraphPath.Step> steps = new ArrayList<>();
        Set<String> onPath = new HashSet<>();
        nodes.add(fromId);
        onPath.add(fromId);
        for (int length = shortest; length <= longest && found.size() < options.maxPathsPerPair(); length++) {
            walk(fromId, toId, length, toTarget, options, nodes, steps, onPath, found);
        }
        return found;
    }

    /** The length of the shortest path, if there is one within {@code options.maxLength()}. */
    public java.util.OptionalInt distance(String fromId, String toId, Options options) {
        require(fromId);
        require(toId);
        Integer d = distancesTo(toId, options).get(fromId);
        return d == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(d);
    }

    /** Depth-first over paths of exactly {@code length} steps, pruned by the distance still to go. */
    private void walk(String at, String target, int length, Map<String, Integer> toTarget, Options options,
                      List<String> nodes, List<GraphPath.Step> steps, Set<String> onPath, List<GraphPath> found) {
        if (found.size() >= options.maxPathsPerPair()) {
            return;
        }
        if (at.equals(target)) {
            if (steps.size() == length) {
                List<Entity> entities = new ArrayList<>(nodes.size());
                for (String id : nodes) {
                    entities.add(graph.entity(id).orElseThrow());
                }
                found.add(new GraphPath(entities, steps));
            }
            return;
        }
        int left = length - steps.size() - 1;
        for (GraphPath.Step step : neighbours(at, options)) {
            String next = step.forward() ? step.relation().tail() : step.relation().head();
            Integer d = toTarget.get(next);
            if (d == null || d > left || onPath.contains(next)) {
                continue;
            }
            nodes.add(next);
            steps.add(step);
            onPath.add(next);
            walk(next, target, length, toTarget, options, nodes, steps, onPath, found);
            onPath.remove(next);
            steps.remove(steps.size() - 1);
            nodes.remove(nodes.size() - 1);
            if (found.size() >= options.maxPathsPerPair()) {
                return;
            }
        }
    }

    /** Breadth-first from the target against the walking direction: how many steps each entity is from it. */
    private Map<String, Integer> distancesTo(String target, Options options) {
        Map<String, Integer> dist = new HashMap<>();
        dist.put(target, 0);
        ArrayDeque<String> queue = new ArrayDeque<>();
        queue.add(target);
        while (!queue.isEmpty()) {
            String v = queue.poll();
            int d = dist.get(v);
            if (d == options.maxLength()) {
                continue;
            }
            for (Relation r : graph.incoming(v)) {
                if (allowed(r, options) && dist.putIfAbsent(r.head(), d + 1) == null) {
                    queue.add(r.head());
                }
            }
            if (options.direction() == Direction.BOTH) {
                for (Relation r : graph.outgoing(v)) {
                    if (allowed(r, options) && dist.putIfAbsent(r.tail(), d + 1) == null) {
                        queue.add(r.tail());
                    }
                }
            }
        }
        return dist;
    }

    private List<GraphPath.Step> neighbours(String id, Options options) {
        List<GraphPath.Step> steps = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Relation r : graph.outgoing(id)) {
            if (allowed(r, options) && seen.add(">" + r.type() + ">" + r.tail())) {
                steps.add(new GraphPath.Step(r, true));
            }
        }
        if (options.direction() == Direction.BOTH) {
            for (Relation r : graph.incoming(id)) {
                if (allowed(r, options) && seen.add("<" + r.type() + "<" + r.head())) {
                    steps.add(new GraphPath.Step(r, false));
                }
            }
        }
        return steps;
    }

    private static boolean allowed(Relation r, Options options) {
        return options.relationTypes().isEmpty() || options.relationTypes().contains(r.type());
    }

    private void require(String id) {
        if (graph.entity(id).isEmpty()) {
            throw new IllegalArgumentException("no entity with id '" + id + "' in graph '" + graph.name() + "'");
        }
    }
}

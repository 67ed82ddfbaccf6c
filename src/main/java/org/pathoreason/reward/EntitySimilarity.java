package org.pathoreason.reward;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.PathFinder;

/**
 * How similar a predicted entity that is not gold is to a gold one, in [0, 1]: the soft credit of
 * {@link EntityReward}. Arguments are the reward's entity keys (graph entity ids, or canonical names for a plain
 * lexicon).
 */
@FunctionalInterface
public interface EntitySimilarity {

    double similarity(String predicted, String gold);

    /**
     * No soft credit: what PathReasoner-R1's released training code uses ({@code entity_sim_fn = None} in
     * {@code src/tools/train_rl.py}, so {@code compute_entity_reward} adds nothing for non-gold entities).
     */
    static EntitySimilarity none() {
        return (p, g) -> 0;
    }

    /** Jaccard overlap of the lower-cased word sets of the two entities' names ({@code nameOf} maps key to name). */
    static EntitySimilarity tokenJaccard(Function<String, String> nameOf) {
        return (p, g) -> {
            Set<String> a = words(nameOf.apply(p));
            Set<String> b = words(nameOf.apply(g));
            if (a.isEmpty() || b.isEmpty()) {
                return 0;
            }
            Set<String> inter = new HashSet<>(a);
            inter.retainAll(b);
            Set<String> union = new HashSet<>(a);
            union.addAll(b);
            return inter.size() / (double) union.size();
        };
    }

    /**
     * Closeness in the knowledge graph: {@code 1 / (1 + d)} for the shortest path of d steps (relations walked
     * either way) of at most {@code maxSteps}, else 0. Two findings of one diagnosis are 2 steps apart (1/3).
     */
    static EntitySimilarity graphDistance(KnowledgeGraph graph, int maxSteps) {
        PathFinder finder = new PathFinder(graph);
        PathFinder.Options options = PathFinder.Options.defaults().withMaxLength(maxSteps)
                .withDirection(PathFinder.Direction.BOTH);
        return (p, g) -> {
            if (graph.entity(p).isEmpty() || graph.entity(g).isEmpty()) {
                return 0;
            }
            var d = finder.distance(p, g, options);
            return d.isPresent() ? 1.0 / (1 + d.getAsInt()) : 0;
        };
    }

    private static Set<String> words(String s) {
        return s == null ? Set.of() : new HashSet<>(List.of(s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")))
                .stream().filter(w -> !w.isEmpty()).collect(java.util.stream.Collectors.toSet());
    }
}

package org.pathoreason.reward;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.pathoreason.knowledge.EntityOverlap;
import org.pathoreason.knowledge.EntityMatcher;
import org.pathoreason.knowledge.KnowledgeGraph;

/**
 * PathReasoner-R1's entity reward: how well the entities named in the reasoning match the sample's gold
 * entities, scored by {@link EntityOverlap} (the soft Dice of PathReasoner's {@code compute_entity_reward}, β = 0.5,
 * over the {@code <observe>} and {@code <think>} spans). {@code sim} is pluggable ({@link EntitySimilarity});
 * PathReasoner's released code passes none, i.e. no soft credit, which is the default here.
 *
 * <p>Entities are compared as canonical keys: with a graph, entity ids, gold names and synonyms being resolved to
 * their entity (so a gold {@code plasmacyte} is hit by a mention of {@code plasma cells}); a gold entity unknown to
 * the graph stays a literal that nothing can hit. Parts: {@code entity}, {@code entity_hits},
 * {@code entity_predicted}, {@code entity_gold}.
 */
public final class EntityReward implements Reward {

    /** PathReasoner's β. */
    public static final double DEFAULT_BETA = EntityOverlap.DEFAULT_BETA;
    /** PathReasoner's eps in the Dice denominator. */
    public static final double EPS = EntityOverlap.EPS;

    private final EntityOverlap overlap;

    /**
     * @param matcher finds entity mentions; its entity ids are the keys compared
     * @param goldKey maps a gold entity string of a sample to a key (identity for a plain lexicon)
     */
    public EntityReward(EntityMatcher matcher, Function<String, String> goldKey, EntitySimilarity similarity,
                        double beta) {
        Objects.requireNonNull(similarity, "similarity");
        this.overlap = new EntityOverlap(matcher, goldKey, similarity::similarity, beta);
    }

    /** Matching every entity of the graph, no soft credit, β = 0.5. */
    public static EntityReward forGraph(KnowledgeGraph graph) {
        return forGraph(graph, EntitySimilarity.none(), DEFAULT_BETA);
    }

    public static EntityReward forGraph(KnowledgeGraph graph, EntitySimilarity similarity, double beta) {
        return new EntityReward(EntityMatcher.forGraph(graph), EntityOverlap.graphKey(graph), similarity, beta);
    }

    /** A plain lexicon (as PathReasoner's entity list): canonical name to the terms that name it. */
    public static EntityReward forLexicon(Map<String, ? extends Collection<String>> termsByCanonical,
                                          EntitySimilarity similarity, double beta) {
        Map<String, List<String>> withSelf = new LinkedHashMap<>();
        termsByCanonical.forEach((canonical, terms) -> {
            List<String> all = new ArrayList<>();
            all.add(canonical);
            all.addAll(terms);
            withSelf.put(canonical, all);
        });
        return new EntityReward(EntityMatcher.fromTerms(withSelf), Function.identity(), similarity, beta);
    }

    @Override
    public String name() {
        return "entity";
    }

    /** The text entities are looked for in: observe and think joined by a space, else the whole completion. */
    public static String reasoningSpan(String completion) {
        return EntityOverlap.reasoningSpan(completion);
    }

    /** The predicted entity keys of a completion. */
    public Set<String> predicted(String completion) {
        return overlap.predicted(completion);
    }

    @Override
    public RewardResult score(RewardInput input) {
        Set<String> pred = overlap.predicted(input.completion());
        Set<String> gold = overlap.goldKeys(input.sample().entities());
        double value = overlap.score(input.completion(), input.sample().entities());
        Set<String> hits = new LinkedHashSet<>(pred);
        hits.retainAll(gold);
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put("entity", value);
        parts.put("entity_hits", (double) hits.size());
        parts.put("entity_predicted", (double) pred.size());
        parts.put("entity_gold", (double) gold.size());
        return new RewardResult(value, parts);
    }

    /** PathReasoner's soft Dice of predicted and gold entity sets. */
    public static double dice(Set<String> pred, Set<String> gold, EntitySimilarity sim, double beta) {
        return EntityOverlap.dice(pred, gold, sim::similarity, beta);
    }
}

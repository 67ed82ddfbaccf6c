package org.pathoreason.reward;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.EntityMatcher;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.text.ReasoningTags;

/**
 * PathReasoner-R1's entity reward: how well the entities named in the reasoning match the sample's gold
 * entities. P is the set of entities the knowledge-graph lexicon finds in the {@code <observe>} and {@code <think>}
 * spans (joined by a space; the whole completion when it has neither, as PathReasoner's
 * {@code extract_reasoning_span}); G is the set of the sample's {@code entities}. Then
 * <pre>
 *   R = min(1, 2 (|P ∩ G| + β Σ_{p ∈ P\G} max_{g ∈ G} sim(p, g)) / (|P| + |G| + 1e-8)),   0 when P and G are empty
 * </pre>
 * with β = 0.5: {@code compute_entity_reward} of PathReasoner's {@code src/tools/score_utils.py}, including its
 * 1e-8 in the denominator. {@code sim} is pluggable ({@link EntitySimilarity}); PathReasoner's released code passes
 * none, i.e. no soft credit, which is the default here.
 *
 * <p>Entities are compared as canonical keys: with a graph, entity ids, gold names and synonyms being resolved to
 * their entity (so a gold {@code plasmacyte} is hit by a mention of {@code plasma cells}); a gold entity unknown to
 * the graph stays a literal that nothing can hit. Parts: {@code entity}, {@code entity_hits},
 * {@code entity_predicted}, {@code entity_gold}.
 */
public final class EntityReward implements Reward {

    /** PathReasoner's β. */
    public static final double DEFAULT_BETA = 0.5;
    /** PathReasoner's eps in the Dice denominator. */
    public static final double EPS = 1e-8;

    private final EntityMatcher matcher;
    private final Function<String, String> goldKey;
    private final EntitySimilarity similarity;
    private final double beta;

    /**
     * @param matcher finds entity mentions; its entity ids are the keys compared
     * @param goldKey maps a gold entity string of a sample to a key (identity for a plain lexicon)
     */
    public EntityReward(EntityMatcher matcher, Function<String, String> goldKey, EntitySimilarity similarity,
                        double beta) {
        this.matcher = Objects.requireNonNull(matcher, "matcher");
        this.goldKey = Objects.requireNonNull(goldKey, "goldKey");
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite number >= 0, got " + beta);
        }
        this.beta = beta;
    }

    /** Matching every entity of the graph, no soft credit, β = 0.5. */
    public static EntityReward forGraph(KnowledgeGraph graph) {
        return forGraph(graph, EntitySimilarity.none(), DEFAULT_BETA);
    }

    public static EntityReward forGraph(KnowledgeGraph graph, EntitySimilarity similarity, double beta) {
        return new EntityReward(EntityMatcher.forGraph(graph),
                g -> graph.resolve(g).map(Entity::id).orElse("literal:" + g.strip().toLowerCase(Locale.ROOT)),
                similarity, beta);
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
        ReasoningTags.Parsed p = ReasoningTags.parse(completion);
        List<String> spans = new ArrayList<>();
        if (p.observe() != null) {
            spans.add(p.observe());
        }
        if (p.think() != null) {
            spans.add(p.think());
        }
        return spans.isEmpty() ? completion : String.join(" ", spans);
    }

    /** The predicted entity keys of a completion. */
    public Set<String> predicted(String completion) {
        return matcher.entityIds(reasoningSpan(completion));
    }

    @Override
    public RewardResult score(RewardInput input) {
        Set<String> pred = predicted(input.completion());
        Set<String> gold = new LinkedHashSet<>();
        for (String g : input.sample().entities()) {
            if (g != null && !g.isBlank()) {
                gold.add(goldKey.apply(g));
            }
        }
        double value = dice(pred, gold, similarity, beta);
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
        if (pred.isEmpty() && gold.isEmpty()) {
            return 0;
        }
        int hard = 0;
        double soft = 0;
        for (String p : pred) {
            if (gold.contains(p)) {
                hard++;
            } else if (!gold.isEmpty()) {
                double best = 0;
                for (String g : gold) {
                    best = Math.max(best, sim.similarity(p, g));
                }
                soft += best;
            }
        }
        double dice = 2.0 * (hard + beta * soft) / (pred.size() + gold.size() + EPS);
        return Math.min(1.0, dice);
    }
}

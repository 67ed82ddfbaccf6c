package org.pathoreason.knowledge;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;
import org.pathoreason.text.ReasoningTags;

/**
 * How well the entities a text names match a set of gold entities: PathReasoner-R1's entity score. P is the set of
 * entity keys the matcher finds in the reasoning span (observe and think joined by a space, or the whole text when
 * it has neither, as PathReasoner's {@code extract_reasoning_span}); G the keys of the gold entities. Then
 * <pre>
 *   R = min(1, 2 (|P ∩ G| + β Σ_{p ∈ P\G} max_{g ∈ G} sim(p, g)) / (|P| + |G| + 1e-8)),   0 when P and G are empty
 * </pre>
 * ({@code compute_entity_reward} of PathReasoner's {@code src/tools/score_utils.py}). With a graph the keys are
 * entity ids, and gold names or synonyms resolve to their entity; a gold entity unknown to the graph stays a literal
 * that nothing can hit. The reward {@code EntityReward} and the reasoning-data verifier both score with this class.
 */
public final class EntityOverlap {

    /** PathReasoner's β. */
    public static final double DEFAULT_BETA = 0.5;
    /** PathReasoner's eps in the Dice denominator. */
    public static final double EPS = 1e-8;

    private final EntityMatcher matcher;
    private final Function<String, String> goldKey;
    private final ToDoubleBiFunction<String, String> similarity;
    private final double beta;

    /**
     * @param matcher finds entity mentions; its entity ids are the keys compared
     * @param goldKey maps a gold entity string to a key (identity for a plain lexicon)
     * @param similarity soft credit in [0, 1] of a predicted key that is not gold, against a gold key
     */
    public EntityOverlap(EntityMatcher matcher, Function<String, String> goldKey,
                         ToDoubleBiFunction<String, String> similarity, double beta) {
        this.matcher = Objects.requireNonNull(matcher, "matcher");
        this.goldKey = Objects.requireNonNull(goldKey, "goldKey");
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite number >= 0, got " + beta);
        }
        this.beta = beta;
    }

    /** Every entity of the graph, no soft credit, β = 0.5. */
    public static EntityOverlap forGraph(KnowledgeGraph graph) {
        return forGraph(graph, (p, g) -> 0, DEFAULT_BETA);
    }

    public static EntityOverlap forGraph(KnowledgeGraph graph, ToDoubleBiFunction<String, String> similarity,
                                         double beta) {
        return new EntityOverlap(EntityMatcher.forGraph(graph), graphKey(graph), similarity, beta);
    }

    /** A gold entity's key in a graph: its entity id, else {@code literal:<lower-cased text>}. */
    public static Function<String, String> graphKey(KnowledgeGraph graph) {
        return g -> graph.resolve(g).map(Entity::id).orElse("literal:" + g.strip().toLowerCase(Locale.ROOT));
    }

    /** The text entities are looked for in: observe and think joined by a space, else the whole text. */
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

    /** The entity keys named in a completion's reasoning span. */
    public Set<String> predicted(String completion) {
        return matcher.entityIds(reasoningSpan(completion));
    }

    /** The keys of gold entity strings (blank ones skipped). */
    public Set<String> goldKeys(Collection<String> gold) {
        Set<String> keys = new LinkedHashSet<>();
        for (String g : gold) {
            if (g != null && !g.isBlank()) {
                keys.add(goldKey.apply(g));
            }
        }
        return keys;
    }

    /** The score of a completion against gold entity strings. */
    public double score(String completion, Collection<String> gold) {
        return dice(predicted(completion), goldKeys(gold), similarity, beta);
    }

    /** PathReasoner's soft Dice of predicted and gold key sets. */
    public static double dice(Set<String> pred, Set<String> gold, ToDoubleBiFunction<String, String> sim, double beta) {
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
                    best = Math.max(best, sim.applyAsDouble(p, g));
                }
                soft += best;
            }
        }
        double dice = 2.0 * (hard + beta * soft) / (pred.size() + gold.size() + EPS);
        return Math.min(1.0, dice);
    }
}

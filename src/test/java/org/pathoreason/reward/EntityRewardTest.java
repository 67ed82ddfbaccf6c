package org.pathoreason.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pathoreason.knowledge.KnowledgeGraph;

class EntityRewardTest {

    private static Set<String> set(JsonNode array) {
        Set<String> s = new LinkedHashSet<>();
        array.forEach(n -> s.add(n.asText()));
        return s;
    }

    @Test
    void reproducesEveryEntityRewardVector() {
        JsonNode v = RlMathVectors.get("entity_reward");
        double beta = v.get("beta").asDouble();
        JsonNode cases = v.get("cases");
        assertThat(cases.size()).isEqualTo(2);
        for (JsonNode c : cases) {
            double got = EntityReward.dice(set(c.get("pred")), set(c.get("gold")), EntitySimilarity.none(), beta);
            assertThat(got).as("%s", c).isCloseTo(c.get("expected").asDouble(), within(1e-12));
        }
    }

    @Test
    void reproducesTheVectorsThroughTheFullRewardWithALexicon() {
        // PathReasoner-style lexicon: canonical names, each found in the reasoning text.
        EntityReward r = EntityReward.forLexicon(Map.of("alpha", List.of(), "beta", List.of(), "gamma", List.of(),
                "delta", List.of()), EntitySimilarity.none(), 0.5);
        var sample = TestSamples.withEntities(TestSamples.mcq(), List.of("alpha", "beta", "delta"));
        String completion = "<observe>alpha and beta</observe><think>so gamma</think><answer>B</answer>";
        assertThat(r.score(RewardInput.of(sample, completion)).value()).isCloseTo(0.6666666655555555, within(1e-12));
        var one = TestSamples.withEntities(TestSamples.mcq(), List.of("alpha", "beta", "gamma", "delta"));
        assertThat(r.score(RewardInput.of(one, "<think>only alpha</think><answer>B</answer>")).value())
                .isCloseTo(0.3999999992, within(1e-12));
    }

    @Test
    void softCreditAndEdgeCases() {
        EntitySimilarity half = (p, g) -> 0.5;
        // P = {a, x}, G = {a, b}: 2 (1 + 0.5 * 0.5) / 4 = 0.625 (up to eps).
        assertThat(EntityReward.dice(Set.of("a", "x"), Set.of("a", "b"), half, 0.5)).isCloseTo(0.625, within(1e-8));
        assertThat(EntityReward.dice(Set.of(), Set.of(), half, 0.5)).isZero();
        assertThat(EntityReward.dice(Set.of("x"), Set.of(), half, 0.5)).isZero();
        // Capped at 1.
        assertThat(EntityReward.dice(Set.of("a", "x", "y"), Set.of("a"), (p, g) -> 1.0, 2.0)).isEqualTo(1.0);
    }

    @Test
    void graphRewardReadsOnlyTheReasoningAndResolvesSynonymsAndPlurals() {
        KnowledgeGraph g = TestGraph.graph();
        EntityReward r = EntityReward.forGraph(g);
        var sample = TestSamples.withEntities(TestSamples.mcq(), List.of("plasmacyte", "lymphocyte"));
        String good = "<observe>Sheets of plasma cells and scattered lymphocytes.</observe>"
                + "<think>Plasma cells point to chronic inflammation.</think><answer>B. keratin pearl</answer>";
        RewardResult res = r.score(RewardInput.of(sample, good));
        // P = {plasma_cell, lymphocyte, chronic_inflammation}; G = {plasma_cell, lymphocyte}: 2*2/5.
        assertThat(res.value()).isCloseTo(0.8, within(1e-8));
        assertThat(res.part("entity_hits")).isEqualTo(2);
        assertThat(res.part("entity_predicted")).isEqualTo(3); // keratin pearl in <answer> is not counted
        assertThat(r.score(RewardInput.of(sample, "<think>Neutrophils.</think><answer>A</answer>")).value()).isZero();
        // Without tags the whole text is the reasoning span, as PathReasoner does.
        assertThat(r.score(RewardInput.of(sample, "plasma cells, lymphocytes")).value()).isCloseTo(1.0, within(1e-8));
        // Graph similarity gives soft credit to a related non-gold entity.
        EntityReward soft = EntityReward.forGraph(g, EntitySimilarity.graphDistance(g, 3), 0.5);
        double plain = r.score(RewardInput.of(sample, "<think>plasma cells; chronic inflammation</think>")).value();
        double credited = soft.score(RewardInput.of(sample, "<think>plasma cells; chronic inflammation</think>")).value();
        // P = {plasma_cell, chronic_inflammation}, G = {plasma_cell, lymphocyte}; chronic inflammation is one step
        // from both: 2 (1 + 0.5 * 1/2) / 4 = 0.625 against 2 * 1 / 4 = 0.5 without soft credit.
        assertThat(plain).isCloseTo(0.5, within(1e-8));
        assertThat(credited).isCloseTo(0.625, within(1e-8));
    }

    @Test
    void tokenJaccardComparesNames() {
        EntitySimilarity j = EntitySimilarity.tokenJaccard(s -> s);
        assertThat(j.similarity("epithelioid histiocyte", "histiocyte")).isEqualTo(0.5);
        assertThat(j.similarity("plasma cell", "lymphocyte")).isZero();
    }
}

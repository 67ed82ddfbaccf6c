package org.pathoreason.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pathoreason.knowledge.PathFinder.Direction;
import org.pathoreason.knowledge.PathFinder.Options;

class PathFinderTest {

    /**
     * plasma cell -suggests-> chronic inflammation; chronic inflammation -has_finding-> plasma cell, lymphocyte;
     * acute inflammation -has_finding-> neutrophil; chronic -differential_of-> acute;
     * granulomatous -has_finding-> giant cell, lymphocyte; granulomatous -is_a-> chronic.
     */
    static KnowledgeGraph graph() {
        return KnowledgeGraph.builder()
                .addEntity("plasma_cell", "plasma cell", "finding")
                .addEntity("lymphocyte", "lymphocyte", "finding")
                .addEntity("neutrophil", "neutrophil", "finding")
                .addEntity("giant_cell", "multinucleated giant cell", "finding")
                .addEntity("chronic", "chronic inflammation", "diagnosis")
                .addEntity("acute", "acute inflammation", "diagnosis")
                .addEntity("granulomatous", "granulomatous inflammation", "diagnosis")
                .addEntity("island", "isolated finding", "finding")
                .addRelation("plasma_cell", "suggests", "chronic")
                .addRelation("chronic", "has_finding", "plasma_cell", Map.of("required", "true"))
                .addRelation("chronic", "has_finding", "lymphocyte")
                .addRelation("acute", "has_finding", "neutrophil", Map.of("required", "true"))
                .addRelation("chronic", "differential_of", "acute")
                .addRelation("granulomatous", "has_finding", "giant_cell", Map.of("required", "true"))
                .addRelation("granulomatous", "has_finding", "lymphocyte")
                .addRelation("granulomatous", "is_a", "chronic")
                .addRelation("granulomatous", "is_a", "chronic") // listed twice: walked once
                .build();
    }

    final KnowledgeGraph g = graph();
    final PathFinder finder = new PathFinder(g);

    @Test
    void directRelationsBothWays() {
        List<GraphPath> paths = finder.paths("plasma_cell", "chronic", Options.defaults());
        assertThat(paths).extracting(GraphPath::toString).containsExactly(
                "plasma cell -[suggests]-> chronic inflammation",
                "plasma cell <-[has_finding]- chronic inflammation");
        assertThat(paths.get(1).steps().get(0).relation().required()).isTrue();
        assertThat(paths.get(0).source().id()).isEqualTo("plasma_cell");
        assertThat(paths.get(0).target().id()).isEqualTo("chronic");
    }

    @Test
    void forwardOnlyFollowsHeadToTail() {
        Options forward = Options.defaults().withDirection(Direction.FORWARD);
        assertThat(finder.paths("plasma_cell", "chronic", forward)).extracting(GraphPath::toString)
                .containsExactly("plasma cell -[suggests]-> chronic inflammation");
        assertThat(finder.paths("lymphocyte", "chronic", forward)).isEmpty();
        assertThat(finder.paths("chronic", "lymphocyte", forward)).extracting(GraphPath::length).containsExactly(1);
    }

    @Test
    void allShortestPathsOfLengthTwoInGraphOrder() {
        assertThat(finder.paths("lymphocyte", "acute", Options.defaults())).extracting(GraphPath::toString)
                .containsExactly("lymphocyte <-[has_finding]- chronic inflammation -[differential_of]-> acute inflammation");
        // two shortest routes from a giant cell to chronic inflammation? only one: via granulomatous is_a
        assertThat(finder.paths("giant_cell", "chronic", Options.defaults())).extracting(GraphPath::toString)
                .containsExactly("multinucleated giant cell <-[has_finding]- granulomatous inflammation"
                        + " -[is_a]-> chronic inflammation");
        assertThat(finder.paths("lymphocyte", "plasma_cell", Options.defaults())).extracting(GraphPath::toString)
                .containsExactly(
                        "lymphocyte <-[has_finding]- chronic inflammation -[has_finding]-> plasma cell",
                        "lymphocyte <-[has_finding]- chronic inflammation <-[suggests]- plasma cell");
    }

    @Test
    void capsAndMaxLengthAreHonoured() {
        assertThat(finder.paths("lymphocyte", "plasma_cell", Options.defaults().withMaxPathsPerPair(1))).hasSize(1);
        assertThat(finder.paths("neutrophil", "giant_cell", Options.defaults())).isEmpty(); // needs 4 steps
        assertThat(finder.distance("neutrophil", "giant_cell", Options.defaults().withMaxLength(6))).hasValue(4);
        assertThat(finder.paths("neutrophil", "giant_cell", Options.defaults().withMaxLength(4)))
                .extracting(GraphPath::toString).containsExactly("neutrophil <-[has_finding]- acute inflammation"
                        + " <-[differential_of]- chronic inflammation <-[is_a]- granulomatous inflammation"
                        + " -[has_finding]-> multinucleated giant cell");
        assertThat(finder.paths("island", "chronic", Options.defaults().withMaxLength(10))).isEmpty();
        assertThat(finder.paths("chronic", "chronic", Options.defaults())).isEmpty();
    }

    @Test
    void longerSimplePathsWhenNotShortestOnly() {
        Options all = Options.defaults().withShortestOnly(false).withMaxPathsPerPair(100);
        List<GraphPath> paths = finder.paths("lymphocyte", "chronic", all);
        assertThat(paths).extracting(GraphPath::toString).containsExactly(
                "lymphocyte <-[has_finding]- chronic inflammation",
                "lymphocyte <-[has_finding]- granulomatous inflammation -[is_a]-> chronic inflammation");
        for (GraphPath p : paths) {
            assertThat(Set.copyOf(p.entityIds())).hasSize(p.entities().size()); // simple
        }
        List<GraphPath> longer = finder.paths("giant_cell", "acute", all.withMaxLength(4));
        assertThat(longer).extracting(GraphPath::length).isSorted().containsExactly(3, 4);
    }

    @Test
    void relationTypeFilter() {
        Options onlyFindings = Options.defaults().withRelationTypes(List.of("has_finding"));
        assertThat(finder.paths("plasma_cell", "chronic", onlyFindings)).extracting(GraphPath::toString)
                .containsExactly("plasma cell <-[has_finding]- chronic inflammation");
        assertThat(finder.paths("giant_cell", "chronic", onlyFindings)).extracting(GraphPath::toString)
                .containsExactly("multinucleated giant cell <-[has_finding]- granulomatous inflammation"
                        + " -[has_finding]-> lymphocyte <-[has_finding]- chronic inflammation");
    }

    @Test
    void setsOfSourcesAndTargetsGroupBySourceThenTarget() {
        List<GraphPath> paths = finder.paths(List.of("neutrophil", "plasma_cell"), List.of("acute", "chronic"),
                Options.defaults().withMaxPathsPerPair(1));
        assertThat(paths).extracting(p -> p.source().id() + ">" + p.target().id()).containsExactly(
                "neutrophil>acute", "neutrophil>chronic", "plasma_cell>acute", "plasma_cell>chronic");
        assertThat(finder.paths(List.of("neutrophil"), List.of("chronic"), Options.defaults()))
                .isEqualTo(finder.paths(List.of("neutrophil"), List.of("chronic"), Options.defaults()));
    }

    @Test
    void unknownIdsAndBadOptionsAreErrors() {
        assertThatThrownBy(() -> finder.paths("nope", "chronic", Options.defaults()))
                .hasMessageContaining("no entity with id 'nope'");
        assertThatThrownBy(() -> Options.defaults().withMaxLength(0)).hasMessageContaining("maxLength");
        assertThatThrownBy(() -> Options.defaults().withMaxPathsPerPair(0)).hasMessageContaining("maxPathsPerPair");
    }
}

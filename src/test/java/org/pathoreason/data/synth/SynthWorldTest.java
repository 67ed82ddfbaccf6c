package org.pathoreason.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.DataException;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.EntityMatcher;
import org.pathoreason.knowledge.KnowledgeGraph;

class SynthWorldTest {

    private final SynthWorld world = SynthWorld.builtIn();

    @Test
    void builtInGraphHasTheWorldsDiagnosesAndFindings() {
        assertThat(world.diagnoses()).hasSize(13).contains("acute_inflammation", "chronic_inflammation",
                "caseating_granulomatous_inflammation", "squamous_cell_carcinoma", "adenocarcinoma",
                "diffuse_large_b_cell_lymphoma", "coagulative_necrosis", "abscess", "benign_glandular_tissue");
        assertThat(world.findings()).hasSize(Finding.values().length);
        for (Finding f : Finding.values()) {
            assertThat(world.graph().entity(f.id())).as(f.id()).isPresent();
        }
        assertThat(world.graph().entitiesOfType(Entity.CELL_TYPE)).isNotEmpty();
        assertThat(world.graph().entitiesOfType(Entity.STAIN)).extracting(Entity::name)
                .contains("haematoxylin and eosin");
    }

    @Test
    void everyOptionalCombinationPointsToItsDiagnosisAlone() {
        for (String d : world.diagnoses()) {
            int expected = 1 << world.optional(d).size();
            assertThat(world.optionalCombinations(d)).as(d).hasSize(expected);
            assertThat(world.differentials(d)).as("differentials of " + d).isNotEmpty();
            for (String other : world.differentials(d)) {
                assertThat(world.differentials(other)).as("symmetric").contains(d);
            }
        }
    }

    @Test
    void whyNotNamesAMissingRequiredFindingOrAnUnexplainedOne() {
        var visible = new java.util.LinkedHashSet<>(world.required("abscess"));
        assertThat(world.whyNot("abscess", visible)).isEmpty();
        assertThat(world.whyNot("coagulative_necrosis", visible)).contains("ghost cell outlines")
                .contains("not seen");
        assertThat(world.whyNot("acute_inflammation", visible))
                .isEqualTo("it does not explain the karyorrhectic nuclear debris seen here, which is not one of its "
                        + "findings");
    }

    @Test
    void everyFindingDescriptionNamesItsEntity() {
        EntityMatcher matcher = EntityMatcher.forGraph(world.graph(), e -> Entity.FINDING.equals(e.type()));
        for (Finding f : Finding.values()) {
            assertThat(matcher.entityIds(f.description())).as(f.description()).contains(f.id());
        }
    }

    @Test
    void rejectsAGraphWithAFindingTheRendererCannotDraw() {
        KnowledgeGraph g = base().addEntity("glitter", "glitter", Entity.FINDING).build();
        assertThatThrownBy(() -> new SynthWorld(g)).isInstanceOf(DataException.class)
                .hasMessageContaining("finding 'glitter'").hasMessageContaining("cannot be drawn");
    }

    @Test
    void rejectsADiagnosisWithoutRequiredFindings() {
        KnowledgeGraph g = base().addEntity("vague", "vague disease", Entity.DIAGNOSIS)
                .addRelation("vague", "has_finding", "fibrin", Map.of("required", "false")).build();
        assertThatThrownBy(() -> new SynthWorld(g)).isInstanceOf(DataException.class)
                .hasMessageContaining("'vague' has no required finding");
    }

    @Test
    void rejectsDiagnosesThatCannotBeToldApart() {
        KnowledgeGraph g = base().addEntity("twin", "twin of d1", Entity.DIAGNOSIS)
                .addRelation("twin", "has_finding", "fibrin", Map.of("required", "true")).build();
        assertThatThrownBy(() -> new SynthWorld(g)).isInstanceOf(DataException.class)
                .hasMessageContaining("cannot be told apart");
    }

    /** Four distinguishable diagnoses, one finding each. */
    private static KnowledgeGraph.Builder base() {
        KnowledgeGraph.Builder b = KnowledgeGraph.builder().name("tiny");
        String[] findings = {"fibrin", "oedema", "fibrosis", "mitoses"};
        for (int i = 0; i < findings.length; i++) {
            b.addEntity(findings[i], findings[i], Entity.FINDING);
            b.addEntity("d" + i, "disease " + i, Entity.DIAGNOSIS);
            b.addRelation("d" + i, "has_finding", findings[i], Map.of("required", "true"));
        }
        return b;
    }
}

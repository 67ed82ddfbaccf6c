package org.pathoreason.reward;

import java.util.Map;
import org.pathoreason.knowledge.Entity;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.knowledge.Relation;

/** A small hand-made pathology graph for reward and judge tests. */
public final class TestGraph {

    private TestGraph() {
    }

    public static KnowledgeGraph graph() {
        return KnowledgeGraph.builder().name("test")
                .addEntity("acute_inflammation", "acute inflammation", Entity.DIAGNOSIS)
                .addEntity("chronic_inflammation", "chronic inflammation", Entity.DIAGNOSIS)
                .addEntity("granulomatous_inflammation", "granulomatous inflammation", Entity.DIAGNOSIS)
                .addEntity("scc", "squamous cell carcinoma", Entity.DIAGNOSIS, "SCC")
                .addEntity("neutrophil", "neutrophil", Entity.CELL_TYPE, "polymorphonuclear leukocyte")
                .addEntity("plasma_cell", "plasma cell", Entity.CELL_TYPE, "plasmacyte")
                .addEntity("lymphocyte", "lymphocyte", Entity.CELL_TYPE)
                .addEntity("epithelioid_histiocyte", "epithelioid histiocyte", Entity.CELL_TYPE)
                .addEntity("giant_cell", "multinucleated giant cell", Entity.FINDING, "giant cell")
                .addEntity("keratin_pearl", "keratin pearl", Entity.FINDING)
                .addEntity("oedema", "oedema", Entity.FINDING, "edema")
                .addRelation("acute_inflammation", Relation.HAS_FINDING, "neutrophil", Map.of("required", "true"))
                .addRelation("acute_inflammation", Relation.HAS_FINDING, "oedema")
                .addRelation("chronic_inflammation", Relation.HAS_FINDING, "plasma_cell", Map.of("required", "true"))
                .addRelation("chronic_inflammation", Relation.HAS_FINDING, "lymphocyte")
                .addRelation("granulomatous_inflammation", Relation.HAS_FINDING, "epithelioid_histiocyte",
                        Map.of("required", "true"))
                .addRelation("granulomatous_inflammation", Relation.HAS_FINDING, "giant_cell")
                .addRelation("scc", Relation.HAS_FINDING, "keratin_pearl", Map.of("required", "true"))
                .addRelation("neutrophil", Relation.SUGGESTS, "acute_inflammation")
                .addRelation("plasma_cell", Relation.SUGGESTS, "chronic_inflammation")
                .addRelation("giant_cell", Relation.SUGGESTS, "granulomatous_inflammation")
                .addRelation("keratin_pearl", Relation.SUGGESTS, "scc")
                .addRelation("chronic_inflammation", Relation.DIFFERENTIAL_OF, "granulomatous_inflammation")
                .build();
    }
}

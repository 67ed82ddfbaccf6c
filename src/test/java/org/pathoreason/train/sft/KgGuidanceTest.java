package org.pathoreason.train.sft;

import org.pathoreason.data.Task;

import org.pathoreason.train.TrajectoryMasking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.data.Sample;
import org.pathoreason.knowledge.KnowledgeGraph;

class KgGuidanceTest {

    private static KnowledgeGraph graph() {
        return KnowledgeGraph.builder().name("mini")
                .addEntity("plasma_cell", "plasma cell", "finding", "plasma cells")
                .addEntity("lymphocyte", "lymphocyte", "finding")
                .addEntity("neutrophil", "neutrophil", "finding", "neutrophils")
                .addEntity("chronic", "chronic inflammation", "diagnosis")
                .addEntity("acute", "acute inflammation", "diagnosis")
                .addRelation("chronic", "has_finding", "plasma_cell")
                .addRelation("chronic", "has_finding", "lymphocyte")
                .addRelation("acute", "has_finding", "neutrophil")
                .build();
    }

    private static Sample sample(List<String> entities, Map<String, Object> meta) {
        return new Sample("k1", List.of(), "Which diagnosis?", List.of("Acute inflammation", "Chronic inflammation"),
                "B", "Chronic inflammation", new Sample.Reasoning(null, "plasma cells mean chronic."), null, entities,
                Task.MCQ, null, meta);
    }

    @Test
    void pathsRunFromTheSampleEntitiesToTheAnswer() {
        KgGuidance kg = KgGuidance.defaults(graph());
        List<String> g = kg.guidance(sample(List.of("plasma cells", "lymphocyte", "chronic inflammation"), Map.of()));
        assertThat(g).containsExactlyInAnyOrder("plasma cell <-[has_finding]- chronic inflammation",
                "lymphocyte <-[has_finding]- chronic inflammation");
        // nothing links neutrophils to the answer within three steps
        assertThat(kg.guidance(sample(List.of("neutrophil"), Map.of()))).isEmpty();
        assertThat(kg.guidance(sample(List.of("unknown thing"), Map.of()))).isEmpty();
    }

    @Test
    void guidanceIsAddedOnlyWhereMissingAndThenRemovedFromPrompts() {
        KgGuidance kg = KgGuidance.defaults(graph());
        Sample guided = kg.withGuidance(sample(List.of("plasma cells"), Map.of()));
        assertThat(TrajectoryMasking.guidanceOf(guided))
                .containsExactly("plasma cell <-[has_finding]- chronic inflammation");
        Sample own = sample(List.of("plasma cells"), Map.of("guidance", "given"));
        assertThat(kg.withGuidance(own)).isSameAs(own);

        TrajectoryMasking keep = new TrajectoryMasking(TrajectoryMasking.Guidance.KEEP,
                TrajectoryMasking.DEFAULT_GUIDANCE_PATTERN, List.of());
        assertThat(keep.question(guided).text()).isEqualTo("Which diagnosis?\n\n<guidance>\nplasma cell "
                + "<-[has_finding]- chronic inflammation\n</guidance>");
        assertThat(TrajectoryMasking.defaults().question(guided).text()).isEqualTo("Which diagnosis?");
    }
}

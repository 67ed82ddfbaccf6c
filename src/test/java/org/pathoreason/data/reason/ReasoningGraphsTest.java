package org.pathoreason.data.reason;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.synth.SynthGenerator;
import org.pathoreason.data.synth.SynthOptions;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.knowledge.KnowledgeGraph;

/** Reasoning data on the graphs the project reads: the synthetic world's, the PathoML ontologies, PrimeKG rows. */
class ReasoningGraphsTest {

    static final Path KG = Path.of("src/test/resources/org/pathoreason/data/reason");
    static final Pattern GRAPH_TALK = Pattern.compile("graph|path|edge|node|triple", Pattern.CASE_INSENSITIVE);

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    static List<String> guidance(Sample s) {
        return (List<String>) s.meta().get("guidance");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> steps(Sample s) {
        return (Map<String, Object>) s.meta().get("reason");
    }

    @Test
    void theSyntheticWorldsLabelledSetBecomesVerifiedChains() {
        Path world = dir.resolve("synth");
        new SynthGenerator(SynthWorld.builtIn(), new SynthOptions(5, 0.01, 64, 1, 0.4)).progressBar(false)
                .generate(world);
        KnowledgeGraph graph = KnowledgeGraph.load(world.resolve(SynthGenerator.GRAPH_FILE));
        List<Sample> labelled = SampleJsonl.read(world.resolve("sft.jsonl"));
        ReasoningDataBuilder.Result r = new ReasoningDataBuilder(graph, ReasonOptions.defaults(), new TemplateTeacher())
                .run(labelled, world.resolve("sft-kg.jsonl"));
        ReasoningDataBuilder.Report report = r.report();
        assertThat(report.samples()).isEqualTo(labelled.size());
        long questions = labelled.stream().filter(l -> !Task.CAPTION.equals(l.task())).count();
        assertThat(report.withAnswerEntity()).isEqualTo(questions);
        assertThat(report.withFindings()).isGreaterThanOrEqualTo(report.kept() - 2); // a feature question may show only its answer
        assertThat(report.withPaths()).isGreaterThanOrEqualTo(report.kept());
        assertThat(report.rejected().getOrDefault("not_a_question", 0)).isEqualTo(labelled.size() - questions);
        assertThat(report.goldEntitiesInGraph()).isEqualTo(report.goldEntities());
        assertThat(report.kept()).isGreaterThanOrEqualTo(labelled.size() * 8 / 10);
        assertThat(report.kept() + report.rejected().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(labelled.size());
        assertThat(report.meanEntityScore()).isGreaterThan(0.5);
        for (Sample s : r.kept()) {
            String think = s.reasoning().think();
            assertThat(GRAPH_TALK.matcher(think).find()).as(think).isFalse();
            assertThat(think).doesNotContain(" are .", " is .", "  ");
            assertThat(guidance(s)).isNotEmpty().allSatisfy(g -> assertThat(g).contains("-["));
            if (Task.MCQ.equals(s.task())) {
                int i = Sample.letterIndex(s.answer());
                assertThat(think).endsWith("Therefore the answer is " + s.answer() + ". " + s.options().get(i) + ".");
                // every wrong option is argued against
                for (int o = 0; o < s.options().size(); o++) {
                    if (o != i) {
                        assertThat(think).contains(Sample.letter(o) + ". " + s.options().get(o));
                    }
                }
            }
            assertThat(s.reasoning().observe()).isEqualTo(
                    labelled.stream().filter(l -> l.id().equals(s.id())).findFirst().orElseThrow().reasoning().observe());
        }
        assertThat(world.resolve("sft-kg.jsonl")).isRegularFile();
        assertThat(ReasoningDataBuilder.reportFile(world.resolve("sft-kg.jsonl"))).isRegularFile();
    }

    static Sample mcq(String id, List<String> options, String answer, String observe, List<String> entities) {
        return new Sample(id, List.of(), "Which diagnosis fits best?", options, answer,
                options.get(Sample.letterIndex(answer)), new Sample.Reasoning(observe, null), null, entities,
                Task.MCQ, null, Map.of());
    }

    @Test
    void theTumourPathologyOntologyGradesAndSubtypes() {
        KnowledgeGraph g = KnowledgeGraph.load(KG.resolve("Tumor_Pathology_Ontology_Simplified.owl"));
        ReasoningDataBuilder b = new ReasoningDataBuilder(g, ReasonOptions.defaults(), new TemplateTeacher());
        Sample grade = mcq("ccrcc", List.of("Grade 1 Clear Cell Renal Cell Carcinoma",
                        "Grade 2 Clear Cell Renal Cell Carcinoma", "Grade 3 Clear Cell Renal Cell Carcinoma",
                        "Grade 4 Clear Cell Renal Cell Carcinoma"), "B",
                "Clear cells whose nuclei show the WHO/ISUP Grade 2 cell phenotype.", List.of());
        ReasoningDataBuilder.Decision d = b.decide(grade);
        assertThat(d.rejected()).as(d.detail()).isNull();
        assertThat(guidance(d.kept()).get(0)).isEqualTo(
                "WHO/ISUP Grade 2 Cell Phenotype <-[has_morphologic_evidence]- Grade 2 Clear Cell Renal Cell Carcinoma");
        // "nuclei" names the ontology's nucleus, which leads to no option: not a finding of the chain
        assertThat(steps(d.kept()).get("mentions")).asString().contains("findings=[nucleus, WHO/ISUP Grade 2 Cell Phenotype]");
        assertThat(d.kept().reasoning().think()).startsWith("The findings to explain are WHO/ISUP Grade 2 Cell Phenotype. ")
                .contains("Grade 2 Clear Cell Renal Cell Carcinoma shows WHO/ISUP Grade "
                + "2 Cell Phenotype.").endsWith("Therefore the answer is B. Grade 2 Clear Cell Renal Cell Carcinoma.");

        Sample cervix = mcq("cervix", List.of("Human Papillomavirus-Related Endocervical Adenocarcinoma",
                "Adenocarcinoma, HPV-independent"), "A", "Endocervical glands with a glandular pattern with apical "
                + "mitoses and a glandular pattern with apoptic bodies.", List.of());
        ReasoningDataBuilder.Decision c = b.decide(cervix);
        assertThat(c.rejected()).as(c.detail()).isNull();
        assertThat(c.kept().reasoning().think()).contains("B. Adenocarcinoma, HPV-independent is less likely: it lacks "
                + "Glandular Pattern with Apical Mitoses and Glandular Pattern with Apoptic Bodies.");
    }

    @Test
    void thePathoMlOntologyPlacesCellsInTheirCompartment() {
        KnowledgeGraph g = KnowledgeGraph.load(KG.resolve("PathoML.owl"));
        Sample s = new Sample("compartment", List.of(), "Which tumour compartment do these cells belong to?",
                List.of(), "Stroma", "Stroma", null, null, List.of("StromaCell"), Task.OPEN, null, Map.of());
        ReasoningDataBuilder.Decision d = new ReasoningDataBuilder(g, ReasonOptions.defaults(), new TemplateTeacher())
                .decide(s);
        assertThat(d.rejected()).as(d.detail()).isNull();
        assertThat(guidance(d.kept())).containsExactly("StromaCell -[is_a]-> Stroma");
        assertThat(d.kept().reasoning().observe()).isEqualTo("The image shows StromaCell.");
        assertThat(d.kept().reasoning().think()).isEqualTo("The findings to explain are StromaCell. StromaCell is a kind "
                + "of Stroma. StromaCell points directly to Stroma. The most likely answer is therefore Stroma.");
    }

    @Test
    void primeKgRowsWithPositiveAndNegativePhenotypes() throws Exception {
        String header = "relation,display_relation,x_index,x_id,x_type,x_name,x_source,y_index,y_id,y_type,y_name,y_source\n";
        String rows = edge("disease_phenotype_positive", "phenotype present", "1", "tuberculosis", "10", "Granuloma")
                + edge("disease_phenotype_positive", "phenotype present", "1", "tuberculosis", "11", "Caseating necrosis")
                + edge("disease_phenotype_positive", "phenotype present", "2", "sarcoidosis", "10", "Granuloma")
                + edge("disease_phenotype_negative", "phenotype absent", "2", "sarcoidosis", "11", "Caseating necrosis");
        Path kg = dir.resolve("kg.csv");
        Files.writeString(kg, header + rows);
        KnowledgeGraph g = KnowledgeGraph.load(kg);
        Sample s = mcq("tb", List.of("Tuberculosis", "Sarcoidosis"), "A",
                "A granuloma with caseating necrosis in the lung.", List.of());
        ReasoningDataBuilder.Decision d = new ReasoningDataBuilder(g, ReasonOptions.defaults(), new TemplateTeacher())
                .decide(s);
        assertThat(d.rejected()).as(d.detail()).isNull();
        assertThat(d.kept().reasoning().think()).isEqualTo("The findings to explain are Granuloma and Caseating necrosis. "
                + "Tuberculosis presents with Granuloma. Tuberculosis presents with Caseating necrosis. Granuloma and "
                + "Caseating necrosis point directly to tuberculosis. B. Sarcoidosis is less likely: it lacks Caseating "
                + "necrosis. Therefore the answer is A. Tuberculosis.");
        assertThat(steps(d.kept()).get("answer_entity")).isEqualTo("tuberculosis");
    }

    /** A PrimeKG row and its reverse, as kg.csv lists every edge both ways. */
    private static String edge(String rel, String display, String xi, String x, String yi, String y) {
        return rel + "," + display + "," + xi + "," + xi + ",disease," + x + ",MONDO," + yi + "," + yi
                + ",effect/phenotype," + y + ",HPO\n"
                + rel + "," + display + "," + yi + "," + yi + ",effect/phenotype," + y + ",HPO," + xi + "," + xi
                + ",disease," + x + ",MONDO\n";
    }
}

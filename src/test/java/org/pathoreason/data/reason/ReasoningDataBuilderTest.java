package org.pathoreason.data.reason;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.knowledge.EntityOverlap;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.util.Json;

/** The steps of reasoning-data generation on a small graph whose right answers are known. */
class ReasoningDataBuilderTest {

    @TempDir
    Path dir;

    static KnowledgeGraph graph() {
        return KnowledgeGraph.builder().name("mini")
                .addEntity("plasma_cell", "plasma cells", "finding", "plasmacytes")
                .addEntity("lymphocyte", "lymphocytes", "finding")
                .addEntity("neutrophil", "neutrophils", "finding")
                .addEntity("histiocyte", "epithelioid histiocytes", "finding")
                .addEntity("keratin", "keratin pearls", "finding")
                .addEntity("chronic", "chronic inflammation", "diagnosis")
                .addEntity("acute", "acute inflammation", "diagnosis")
                .addEntity("granuloma", "granulomatous inflammation", "diagnosis")
                .addEntity("hyperplasia", "lymphoid hyperplasia", "diagnosis")
                .addRelation("plasma_cell", "suggests", "chronic")
                .addRelation("chronic", "has_finding", "plasma_cell", Map.of("required", "true"))
                .addRelation("chronic", "has_finding", "lymphocyte")
                .addRelation("acute", "has_finding", "neutrophil", Map.of("required", "true"))
                .addRelation("granuloma", "has_finding", "histiocyte", Map.of("required", "true"))
                .addRelation("granuloma", "has_finding", "lymphocyte")
                .addRelation("hyperplasia", "has_finding", "lymphocyte")
                .addRelation("chronic", "differential_of", "acute")
                .build();
    }

    static Sample mcq(String id, List<String> options, String answer, String observe) {
        int i = Sample.letterIndex(answer);
        return new Sample(id, List.of("images/" + id + ".png"), "What is the most likely diagnosis?", options, answer,
                options.get(i), new Sample.Reasoning(observe, "to be written"), null, List.of(), Task.MCQ, "dx",
                Map.of("source", "test"));
    }

    static final List<String> DX = List.of("Acute inflammation", "Chronic inflammation", "Granulomatous inflammation");

    private final ReasoningDataBuilder builder = new ReasoningDataBuilder(graph(), ReasonOptions.defaults(),
            new TemplateTeacher());

    @Test
    void aMultipleChoiceSampleBecomesAVerifiedChainWithItsPathsAsGuidance() {
        Sample in = mcq("s1", DX, "B", "Sheets of plasma cells and scattered lymphocytes.");
        ReasoningDataBuilder.Decision d = builder.decide(in);
        assertThat(d.rejected()).as(d.detail()).isNull();
        Sample out = d.kept();
        assertThat(out.reasoning().observe()).isEqualTo("Sheets of plasma cells and scattered lymphocytes.");
        assertThat(out.reasoning().think()).isEqualTo("The findings to explain are plasma cells and lymphocytes. "
                + "Plasma cells suggest chronic inflammation. Chronic inflammation is characterised by lymphocytes. "
                + "Chronic inflammation is characterised by plasma cells. Plasma cells and lymphocytes point directly "
                + "to chronic inflammation. A. Acute inflammation is less likely: its required finding, neutrophils, is "
                + "not seen. C. Granulomatous inflammation is less likely: its required finding, epithelioid "
                + "histiocytes, is not seen. Therefore the answer is B. Chronic inflammation.");
        assertThat(out.answer()).isEqualTo("B");
        assertThat(out.question()).isEqualTo(in.question());
        assertThat(out.images()).isEqualTo(in.images());
        assertThat(out.meta()).containsEntry("source", "test");
        // the chain's paths (and the nearest path to each wrong option) are the guidance SFT masks
        assertThat(TrajectoryGuidance.of(out)).containsExactly(
                "plasma cells -[suggests]-> chronic inflammation",
                "lymphocytes <-[has_finding]- chronic inflammation",
                "plasma cells <-[has_finding]- chronic inflammation",
                "plasma cells -[suggests]-> chronic inflammation -[differential_of]-> acute inflammation",
                "lymphocytes <-[has_finding]- granulomatous inflammation");
        @SuppressWarnings("unchecked")
        Map<String, Object> steps = (Map<String, Object>) out.meta().get("reason");
        assertThat(steps.get("answer_entity")).isEqualTo("chronic inflammation");
        assertThat(steps.get("findings")).isEqualTo(List.of("plasma cells", "lymphocytes"));
        assertThat(steps.get("teacher")).isEqualTo("template");
        // the entity score is the reward's: the chain against the findings, the answer and the options it rules out
        String completion = new Chain(out.reasoning().observe(), out.reasoning().think(), "B").completion();
        double expected = EntityOverlap.forGraph(graph()).score(completion, List.of("plasma cells", "lymphocytes",
                "chronic inflammation", "acute inflammation", "granulomatous inflammation"));
        assertThat(expected).isGreaterThan(0.6);
        assertThat((Double) steps.get("entity_score")).isCloseTo(expected, within(1e-4));
        assertThat(out.entities()).containsExactly("plasma cells", "lymphocytes", "chronic inflammation");
    }

    @Test
    void everyRejectionSaysWhy() {
        Sample caption = new Sample("cap", List.of("x.png"), "", List.of(), null, null, null, "A caption.",
                List.of(), Task.CAPTION, null, Map.of());
        Sample unknownAnswer = mcq("scc", List.of("Chronic inflammation", "Squamous cell carcinoma"), "B",
                "plasma cells");
        Sample nothingSeen = mcq("blank", DX, "B", "No recognisable features.");
        Sample noPath = mcq("isolated", DX, "B", "Keratin pearls only.");
        Sample tie = mcq("tie", List.of("Chronic inflammation", "Lymphoid hyperplasia"), "A", "Lymphocytes.");
        Map<String, String> why = new java.util.LinkedHashMap<>();
        for (Sample s : List.of(caption, unknownAnswer, nothingSeen, noPath, tie)) {
            ReasoningDataBuilder.Decision d = builder.decide(s);
            assertThat(d.kept()).isNull();
            why.put(s.id(), d.rejected() + ": " + d.detail());
        }
        assertThat(why).containsExactly(
                Map.entry("cap", "not_a_question: a caption sample has no question to reason about"),
                Map.entry("scc", "answer_not_in_graph: the answer 'Squamous cell carcinoma' names no entity of the graph"),
                Map.entry("blank", "no_findings: no finding of the sample is an entity of the graph"),
                Map.entry("isolated", "no_path: no path of at most 3 steps from [keratin pearls] to chronic inflammation"),
                Map.entry("tie", "not_separated: option B. Lymphoid hyperplasia is as close to the findings (1 direct, "
                        + "nearest path 1 steps) as the answer (1 direct, nearest path 1 steps)"));
    }

    @Test
    void openAndYesNoQuestionsEndAtTheirAnswer() {
        Sample open = new Sample("o", List.of(), "What is the diagnosis?", List.of(), "Granulomatous inflammation.",
                null, new Sample.Reasoning("Clusters of epithelioid histiocytes.", null), null, List.of(), Task.OPEN,
                null, Map.of());
        Sample yes = new Sample("y", List.of(), "Are plasmacytes present?", List.of(), "yes", "yes",
                new Sample.Reasoning("Plasma cells among lymphocytes.", null), null, List.of(), Task.YESNO, null,
                Map.of());
        Sample out = builder.decide(open).kept();
        assertThat(out.reasoning().think()).endsWith("The most likely answer is therefore granulomatous inflammation.");
        assertThat(out.answer()).isEqualTo("Granulomatous inflammation.");
        Sample y = builder.decide(yes).kept();
        assertThat(y.reasoning().think()).startsWith("The question asks about plasma cells. The findings seen are "
                + "plasma cells and lymphocytes.").endsWith("Plasma cells are among the findings seen. Therefore the "
                + "answer is yes.");
        assertThat(TrajectoryGuidance.of(y)).contains("lymphocytes <-[has_finding]- chronic inflammation "
                + "-[has_finding]-> plasma cells");
    }

    /** meta.guidance, the list of strings trajectory-masked SFT reads. */
    static final class TrajectoryGuidance {
        @SuppressWarnings("unchecked")
        static List<String> of(Sample s) {
            return (List<String>) s.meta().get("guidance");
        }
    }

    @Test
    void chainsThatNameTooFewGoldEntitiesOrTheGraphAreRejected() {
        ReasoningTeacher graphTalk = new ReasoningTeacher() {
            @Override
            public Chain write(ChainFacts f) {
                return new Chain("Plasma cells.", "The knowledge graph links plasma cells to chronic inflammation. "
                        + "Therefore the answer is B. Chronic inflammation.", "B");
            }

            @Override
            public String describe() {
                return "graph-talker";
            }
        };
        Sample in = mcq("s1", DX, "B", "plasma cells and lymphocytes");
        ReasoningDataBuilder.Decision d = new ReasoningDataBuilder(graph(), ReasonOptions.defaults(), graphTalk)
                .decide(in);
        assertThat(d.rejected()).isEqualTo("mentions_graph");
        assertThat(d.detail()).isEqualTo("the reasoning says 'knowledge graph'");

        ReasoningTeacher terse = new ReasoningTeacher() {
            @Override
            public Chain write(ChainFacts f) {
                return new Chain("Cells.", "Neutrophils, epithelioid histiocytes and keratin pearls are absent. So it "
                        + "is chronic inflammation, answer B.", "B");
            }

            @Override
            public String describe() {
                return "terse";
            }
        };
        ReasoningDataBuilder.Decision t = new ReasoningDataBuilder(graph(), ReasonOptions.defaults(), terse).decide(in);
        assertThat(t.rejected()).isEqualTo("low_entity_score");
        // P = {neutrophils, epithelioid histiocytes, keratin pearls, chronic inflammation}, G = 5, one hit: 2/9
        assertThat(t.detail()).isEqualTo("entity score 0.222 < 0.500 against [plasma cells, lymphocytes, chronic "
                + "inflammation, acute inflammation, granulomatous inflammation]");

        ReasoningTeacher wrong = new ReasoningTeacher() {
            @Override
            public Chain write(ChainFacts f) {
                return new Chain("Plasma cells.", "Plasma cells suggest acute inflammation. The answer is A.", "A");
            }

            @Override
            public String describe() {
                return "wrong";
            }
        };
        assertThat(new ReasoningDataBuilder(graph(), ReasonOptions.defaults(), wrong).decide(in).detail())
                .isEqualTo("the chain answers 'A', the gold answer is B. Chronic inflammation");
        ReasoningDataBuilder judged = new ReasoningDataBuilder(graph(), ReasonOptions.defaults(), new TemplateTeacher())
                .judge((sample, completion) -> completion.contains("differential") ? null : "judge: integrity 0.2");
        assertThat(judged.decide(in).rejected()).isEqualTo("judge");
    }

    @Test
    void aRunWritesTheSftFileAndReportAndResumesAfterAStop() throws Exception {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            samples.add(mcq("s" + i, DX, "B", "plasma cells and lymphocytes"));
        }
        samples.add(mcq("blank", DX, "B", "nothing"));
        Path out = dir.resolve("reason/sft.jsonl");
        ReasoningDataBuilder.Result straight = builder.run(samples, dir.resolve("straight.jsonl"));

        AtomicInteger written = new AtomicInteger();
        ReasoningTeacher dies = new ReasoningTeacher() {
            @Override
            public Chain write(ChainFacts f) {
                if (written.incrementAndGet() == 4) {
                    throw new IllegalStateException("killed");
                }
                return new TemplateTeacher().write(f);
            }

            @Override
            public String describe() {
                return "template";
            }
        };
        try {
            new ReasoningDataBuilder(graph(), ReasonOptions.defaults(), dies).run(samples, out);
        } catch (IllegalStateException expected) {
            // the run stops at the fourth chain
        }
        assertThat(out).doesNotExist();
        Path partial = out.resolveSibling(".sft.jsonl.partial");
        assertThat(Files.readAllLines(partial)).hasSize(1 + 3);

        AtomicInteger again = new AtomicInteger();
        ReasoningTeacher counting = new ReasoningTeacher() {
            @Override
            public Chain write(ChainFacts f) {
                again.incrementAndGet();
                return new TemplateTeacher().write(f);
            }

            @Override
            public String describe() {
                return "template";
            }
        };
        ReasoningDataBuilder.Result resumed = new ReasoningDataBuilder(graph(), ReasonOptions.defaults(), counting)
                .run(samples, out);
        assertThat(again.get()).isEqualTo(3);
        assertThat(partial).doesNotExist();
        assertThat(Files.readString(out)).isEqualTo(Files.readString(dir.resolve("straight.jsonl")));
        assertThat(SampleJsonl.read(out)).hasSize(6);
        ReasoningDataBuilder.Report r = resumed.report();
        assertThat(r).isEqualTo(straight.report());
        assertThat(r.samples()).isEqualTo(7);
        assertThat(r.kept()).isEqualTo(6);
        assertThat(r.rejected()).containsExactly(Map.entry("no_findings", 1));
        assertThat(r.withPaths()).isEqualTo(6);
        assertThat(r.meanPaths()).isEqualTo(3.0);
        var report = Json.MAPPER.readTree(ReasoningDataBuilder.reportFile(out).toFile());
        assertThat(report.at("/report/kept").asInt()).isEqualTo(6);
        assertThat(report.at("/rejected/0/id").asText()).isEqualTo("blank");
    }
}

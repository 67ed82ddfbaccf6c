package org.pathoreason.cli;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.llm.FakeChatServer;
import org.pathoreason.util.Json;
import picocli.CommandLine;

class DataReasonCommandTest {

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = PathoReasonCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path graph() {
        Path g = dir.resolve("graph.json");
        KnowledgeGraph.builder().name("mini")
                .addEntity("plasma_cell", "plasma cells", "finding")
                .addEntity("neutrophil", "neutrophils", "finding")
                .addEntity("chronic", "chronic inflammation", "diagnosis")
                .addEntity("acute", "acute inflammation", "diagnosis")
                .addRelation("plasma_cell", "suggests", "chronic")
                .addRelation("neutrophil", "suggests", "acute")
                .build().writeJson(g);
        return g;
    }

    private Path data() {
        List<Sample> samples = new ArrayList<>();
        List<String> options = List.of("Acute inflammation", "Chronic inflammation");
        for (int i = 0; i < 3; i++) {
            samples.add(new Sample("s" + i, List.of("images/s" + i + ".png"), "Case " + i + ": which diagnosis?",
                    options, "B", "Chronic inflammation", new Sample.Reasoning("Plasma cells.", null), null, List.of(),
                    Task.MCQ, null, Map.of()));
        }
        samples.add(new Sample("s3", List.of(), "Which diagnosis?", options, "A", "Acute inflammation",
                new Sample.Reasoning("Nothing to see.", null), null, List.of(), Task.MCQ, null, Map.of()));
        Path file = dir.resolve("in/labelled.jsonl");
        SampleJsonl.write(file, samples);
        return file;
    }

    @Test
    void offlineTemplatesWriteSftDataAndTheReport() throws Exception {
        Path o = dir.resolve("out/sft.jsonl");
        assertThat(run("data", "reason", "--data", data().toString(), "--graph", graph().toString(), "--out",
                o.toString(), "--no-progress")).isZero();
        assertThat(out.toString()).contains("graph mini, teacher template", "samples in              4",
                "chains kept             3", "rejected no_findings", "wrote " + o);
        List<Sample> kept = SampleJsonl.read(o);
        assertThat(kept).hasSize(3);
        assertThat(kept.get(0).images()).containsExactly("../in/images/s0.png"); // relative to the output's folder
        JsonNode report = Json.MAPPER.readTree(dir.resolve("out/sft.report.json").toFile());
        assertThat(report.at("/rejected/0/reason").asText()).isEqualTo("no_findings");
    }

    static final String GOOD = "{\"integrity\": {\"image_features\": true, \"option_elimination\": true, "
            + "\"medical_knowledge\": true}, \"knowledge\": {\"histology_definition_breach\": false, "
            + "\"logical_contradiction\": false, \"outdated_or_wrong_standard\": false}}";
    static final String BAD = "{\"integrity\": {\"image_features\": false, \"option_elimination\": false, "
            + "\"medical_knowledge\": false}, \"knowledge\": {\"histology_definition_breach\": true, "
            + "\"logical_contradiction\": false, \"outdated_or_wrong_standard\": false}}";

    @Test
    void aTeacherAndAJudgeOnOpenAiCompatibleEndpoints() {
        try (FakeChatServer teacher = new FakeChatServer(); FakeChatServer judge = new FakeChatServer()) {
            teacher.otherwise(q -> FakeChatServer.Reply.content("<observe>Plasma cells fill the stroma.</observe>"
                    + "<think>Plasma cells suggest chronic inflammation rather than acute inflammation, which would "
                    + "show neutrophils. Therefore the answer is B. Chronic inflammation.</think><answer>B</answer>"));
            judge.otherwise(q -> FakeChatServer.Reply.content(FakeChatServer.userText(q).contains("Case 1") ? BAD : GOOD));
            Path o = dir.resolve("llm/sft.jsonl");
            int rc = run("data", "reason", "--data", data().toString(), "--graph", graph().toString(), "--out",
                    o.toString(), "--no-progress", "--teacher-url", teacher.baseUrl(), "--teacher-model", "t",
                    "--teacher-concurrency", "2", "--judge-url", judge.baseUrl(), "--judge-model", "j");
            assertThat(rc).as(err.toString()).isZero();
            assertThat(out.toString()).contains("teacher t at " + teacher.baseUrl() + "/chat/completions",
                    "chains kept             2", "rejected judge");
            assertThat(SampleJsonl.read(o)).extracting(Sample::id).containsExactly("s0", "s2");
            assertThat(SampleJsonl.read(o).get(0).reasoning().observe()).isEqualTo("Plasma cells fill the stroma.");
            assertThat(teacher.bodies()).hasSize(3);
            assertThat(judge.bodies()).hasSize(3);
        }
    }

    @Test
    void halfAnEndpointIsAOneLineError() {
        assertThat(run("data", "reason", "--data", data().toString(), "--graph", graph().toString(), "--out",
                dir.resolve("x.jsonl").toString(), "--teacher-url", "http://127.0.0.1:9/v1")).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("error: the teacher needs both --teacher-url and --teacher-model");
        assertThat(dir.resolve("x.jsonl")).doesNotExist();
    }
}

package org.pathoreason.train.sft;

import org.pathoreason.train.TrajectoryMasking;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.reason.LlmTeacher;
import org.pathoreason.data.reason.ReasonOptions;
import org.pathoreason.data.reason.ReasoningDataBuilder;
import org.pathoreason.data.reason.TemplateTeacher;
import org.pathoreason.engine.Engines;
import org.pathoreason.knowledge.KnowledgeGraph;
import org.pathoreason.llm.ChatClient;
import org.pathoreason.llm.FakeChatServer;
import org.pathoreason.train.MetricsLog;
import org.pathoreason.train.RunInfo;

/** {@code data reason} output is SFT data: a few SFT steps run on it, offline and with a (fake) LLM teacher. */
class ReasoningDataSftTest {

    @TempDir
    static Path dir;
    static Path model;
    static List<Sample> labelled;
    static int threads;

    /** The fixtures' four tissues as a graph: each diagnosis requires its finding, which suggests it. */
    static KnowledgeGraph graph() {
        KnowledgeGraph.Builder b = KnowledgeGraph.builder().name("fixture-tissues");
        for (int k = 0; k < 4; k++) {
            b.addEntity("f" + k, SftFixtures.FINDINGS.get(k), "finding");
            b.addEntity("d" + k, SftFixtures.DIAGNOSES.get(k).toLowerCase(), "diagnosis");
        }
        for (int k = 0; k < 4; k++) {
            b.addRelation("d" + k, "has_finding", "f" + k, Map.of("required", "true"));
            b.addRelation("f" + k, "suggests", "d" + k);
        }
        return b.build();
    }

    @BeforeAll
    static void setUp() {
        Engines.start();
        threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        model = SftFixtures.modelDir(dir.resolve("model"), 5);
        labelled = SampleJsonl.read(SftFixtures.dataset(dir.resolve("data"), "labelled.jsonl", 8));
    }

    @AfterAll
    static void tearDown() {
        JniUtils.setNumThreads(threads);
    }

    private static SftTrainer.Result train(Path data, Path out, String guidance) {
        List<String> overrides = List.of("train.max_steps=3", "train.batch_size=4", "train.lr=3e-3",
                "train.lr_schedule=constant", "train.save_every=0", "sft.prompt_style=plain",
                "sft.target=observe-think-answer", "sft.guidance=" + guidance);
        return new SftTrainer(Stage.SFT, SftConfig.load(null, overrides), data, model, out).progressBar(false).run();
    }

    @Test
    void templateChainsTrainWithTheirGuidanceMaskedOrKept() {
        Path data = dir.resolve("data/reason.jsonl");
        ReasoningDataBuilder.Result r = new ReasoningDataBuilder(graph(), ReasonOptions.defaults(),
                new TemplateTeacher()).run(labelled, data);
        assertThat(r.report().kept()).isEqualTo(8);
        Sample first = SampleJsonl.read(data).get(0);
        assertThat(TrajectoryMasking.guidanceOf(first)).contains("neutrophils -[suggests]-> acute inflammation");
        assertThat(first.reasoning().think()).endsWith("Therefore the answer is A. Acute inflammation.");

        SftTrainer.Result removed = train(data, dir.resolve("runs/remove"), "remove");
        assertThat(removed.steps()).isEqualTo(3);
        assertThat(removed.lastLoss()).isFinite().isPositive();
        JsonNode summary = RunInfo.read(dir.resolve("runs/remove")).at("/provenance/data_summary");
        assertThat(summary.get("train_examples").asInt()).isEqualTo(8);
        assertThat(summary.get("guidance_added").asInt()).isZero();

        train(data, dir.resolve("runs/keep"), "keep");
        JsonNode kept = RunInfo.read(dir.resolve("runs/keep")).at("/provenance/data_summary");
        assertThat(kept.get("guidance_added").asInt()).isEqualTo(8); // the teacher's guidance back in every prompt
        List<Map<String, Object>> metrics = MetricsLog.read(dir.resolve("runs/keep/metrics.jsonl"));
        assertThat(metrics).filteredOn(m -> m.containsKey("loss")).hasSize(3);
    }

    private static final Pattern ANSWER = Pattern.compile("Correct answer: ([A-D])\\. (.+)");
    private static final Pattern FINDINGS = Pattern.compile("Findings seen in the image: (.+)");

    @Test
    void chainsFromAFakeTeacherTrainToo() {
        Path data = dir.resolve("data/reason-llm.jsonl");
        try (FakeChatServer server = new FakeChatServer();
             ChatClient client = ChatClient.builder().setBaseUrl(server.baseUrl()).setModel("fake-teacher")
                     .optTimeout(Duration.ofSeconds(5)).build()) {
            server.otherwise(request -> {
                String prompt = FakeChatServer.userText(request);
                Matcher a = ANSWER.matcher(prompt);
                Matcher f = FINDINGS.matcher(prompt);
                if (!a.find() || !f.find()) {
                    return new FakeChatServer.Reply(400, "{\"error\": \"unexpected prompt\"}", 0);
                }
                String reply = "<observe>The section shows " + f.group(1) + ".</observe><think>" + f.group(1)
                        + " are what " + a.group(2).toLowerCase() + " requires, and no other option's required finding "
                        + "is present. Therefore the answer is " + a.group(1) + ". " + a.group(2) + ".</think><answer>"
                        + a.group(1) + "</answer>";
                return FakeChatServer.Reply.content(reply);
            });
            ReasoningDataBuilder.Result r = new ReasoningDataBuilder(graph(), ReasonOptions.defaults(),
                    new LlmTeacher(client, data.getParent(), 0)).run(labelled, data);
            assertThat(r.report().kept()).as("%s", r.decisions()).isEqualTo(8);
            assertThat(server.bodies()).hasSize(8);
        }
        List<Sample> written = SampleJsonl.read(data);
        assertThat(written.get(1).reasoning().observe()).isEqualTo("The section shows plasma cells.");
        List<String> ids = new ArrayList<>();
        written.forEach(s -> ids.add(s.id()));
        assertThat(ids).containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7");
        SftTrainer.Result result = train(data, dir.resolve("runs/llm"), "remove");
        assertThat(result.steps()).isEqualTo(3);
        assertThat(result.lastLoss()).isFinite().isPositive();
    }
}

package org.pathoreason.data.reason;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.llm.ChatClient;
import org.pathoreason.llm.FakeChatServer;

/** The optional LLM teacher against a fake chat server on 127.0.0.1. */
class LlmTeacherTest {

    @TempDir
    Path dir;

    static final List<String> DX = ReasoningDataBuilderTest.DX;

    @Test
    void theTeacherSeesFactsNotTheGraphAndItsChainsAreVerified() throws Exception {
        Files.createDirectories(dir.resolve("images"));
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("images/good.png").toFile());
        List<Sample> samples = new ArrayList<>();
        for (String id : List.of("good", "graph-talk", "wrong", "garbage")) {
            Sample m = ReasoningDataBuilderTest.mcq(id, DX, "B", "Plasma cells and lymphocytes.");
            samples.add(new Sample(m.id(), m.images(), "Case " + id + ": what is the most likely diagnosis?",
                    m.options(), m.answer(), m.answerText(), m.reasoning(), null, List.of(), Task.MCQ, null, Map.of()));
        }
        try (FakeChatServer server = new FakeChatServer();
             ChatClient client = ChatClient.builder().setBaseUrl(server.baseUrl()).setModel("teacher-72b")
                     .optTimeout(Duration.ofSeconds(5)).optMaxAttempts(2)
                     .optBackoff(Duration.ofMillis(5), Duration.ofMillis(5)).build()) {
            server.otherwise(request -> {
                String text = FakeChatServer.userText(request);
                String think = "Plasma cells and lymphocytes mark chronic inflammation; no neutrophils for acute "
                        + "inflammation and no epithelioid histiocytes for granulomatous inflammation. So the answer is "
                        + "B. Chronic inflammation.";
                String answer = "B";
                if (text.contains("Case graph-talk")) {
                    think = "The knowledge graph path shows chronic inflammation. Answer B. Chronic inflammation.";
                } else if (text.contains("Case wrong")) {
                    think = "Neutrophils point to acute inflammation. The answer is A. Acute inflammation.";
                    answer = "A";
                } else if (text.contains("Case garbage")) {
                    return FakeChatServer.Reply.content("I would rather not say.");
                }
                return FakeChatServer.Reply.content("<observe>Plasma cells and lymphocytes in the stroma.</observe>"
                        + "<think>" + think + "</think><answer>" + answer + "</answer>");
            });
            ReasoningDataBuilder.Result r = new ReasoningDataBuilder(ReasoningDataBuilderTest.graph(),
                    ReasonOptions.defaults(), new LlmTeacher(client, dir, 0.2)).threads(2).build(samples);

            Map<String, String> why = new java.util.LinkedHashMap<>();
            for (ReasoningDataBuilder.Decision d : r.decisions()) {
                why.put(d.id(), d.rejected() == null ? "kept" : d.rejected());
            }
            assertThat(why).containsExactly(Map.entry("good", "kept"), Map.entry("graph-talk", "mentions_graph"),
                    Map.entry("wrong", "wrong_answer"), Map.entry("garbage", "teacher_failed"));
            Sample good = r.kept().get(0);
            assertThat(good.reasoning().observe()).isEqualTo("Plasma cells and lymphocytes in the stroma.");
            assertThat(good.reasoning().think()).endsWith("So the answer is B. Chronic inflammation.");
            assertThat(good.meta().get("reason")).asString()
                    .contains("teacher=teacher-72b at " + server.baseUrl() + "/chat/completions");
            assertThat(r.report().teacher()).isEqualTo("teacher-72b at " + server.baseUrl() + "/chat/completions");

            assertThat(server.bodies()).hasSize(3 + 2); // the garbage reply is asked for twice
            JsonNode first = server.requests().stream()
                    .filter(q -> q.at("/messages/1/content/0/type").asText().equals("image_url")).findFirst()
                    .orElseThrow();
            assertThat(first.at("/model").asText()).isEqualTo("teacher-72b");
            assertThat(first.at("/temperature").asDouble()).isEqualTo(0.2);
            assertThat(first.at("/messages/0/content").asText()).contains("Never mention a knowledge graph");
            assertThat(first.at("/messages/1/content/0/image_url/url").asText()).startsWith("data:image/png;base64,");
            String prompt = FakeChatServer.userText(first);
            assertThat(prompt).contains("Question: Case good: what is the most likely diagnosis?", "B. Chronic inflammation",
                    "Correct answer: B. Chronic inflammation", "Findings seen in the image: plasma cells and lymphocytes",
                    "- Plasma cells suggest chronic inflammation.", "- A. Acute inflammation: requires neutrophils, not seen",
                    "In <answer> write only the letter of the correct option");
            assertThat(prompt).doesNotContain("-[", "graph");
        }
    }

    @Test
    void repliesWithoutTheTagsAreRetriedThenTheSampleIsRejected() {
        try (FakeChatServer server = new FakeChatServer();
             ChatClient client = ChatClient.builder().setBaseUrl(server.baseUrl()).setModel("m")
                     .optMaxAttempts(3).optBackoff(Duration.ofMillis(5), Duration.ofMillis(5)).build()) {
            server.otherwise(q -> FakeChatServer.Reply.content("Chronic inflammation, clearly."));
            ReasoningDataBuilder.Decision d = new ReasoningDataBuilder(ReasoningDataBuilderTest.graph(),
                    ReasonOptions.defaults(), new LlmTeacher(client, null, 0))
                    .decide(ReasoningDataBuilderTest.mcq("s", DX, "B", "plasma cells"));
            assertThat(d.rejected()).isEqualTo("teacher_failed");
            assertThat(d.detail()).contains("unreadable reply: expected <observe>, <think> and <answer>", "3 attempts");
            assertThat(server.bodies()).hasSize(3);
        }
    }

}

package org.pathoreason.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.util.Json;

/** A trained model's reasoning and answer come back apart, whole and streamed, as vLLM's reasoning parser splits. */
class TaughtModelServingTest {

    @TempDir
    Path tmp;

    @Test
    void reasoningAndAnswerComeApart() throws Exception {
        Path ckpt = TaughtCheckpoint.shared();
        try (ApiServer server = ApiServer.start(ckpt, ServeOptions.builder().port(0).build())) {
            ObjectNode q = TaughtCheckpoint.pageRequest(ServeTestKit.dataUrl(ServeTestKit.png(64, 64, 9)));
            q.put("temperature", 0);
            JsonNode r = ServeTestKit.json(ServeTestKit.post(server, "/v1/chat/completions", null, q.toString()));
            assertThat(r.at("/choices/0/message/reasoning_content").asText()).isEqualTo(TaughtCheckpoint.REASONING);
            assertThat(r.at("/choices/0/message/content").asText()).isEqualTo(TaughtCheckpoint.ANSWER);
            assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("stop");

            q.put("stream", true);
            List<String> data = ServeTestKit.sseData(ServeTestKit.post(server, "/v1/chat/completions", null,
                    q.toString()).body());
            StringBuilder reasoning = new StringBuilder();
            StringBuilder content = new StringBuilder();
            int reasoningChunks = 0;
            for (String d : data.subList(0, data.size() - 1)) {
                JsonNode delta = Json.MAPPER.readTree(d).at("/choices/0/delta");
                if (delta.has("reasoning_content")) {
                    reasoningChunks++;
                    reasoning.append(delta.get("reasoning_content").asText());
                }
                content.append(delta.path("content").asText(""));
            }
            assertThat(reasoningChunks).isGreaterThan(3); // streamed token by token, not in one piece
            assertThat(reasoning.toString()).isEqualTo(TaughtCheckpoint.REASONING);
            assertThat(content.toString()).isEqualTo(TaughtCheckpoint.ANSWER);

            // the judge's conversation gets its verdict
            JsonNode v = ServeTestKit.json(ServeTestKit.post(server, "/v1/chat/completions", null,
                    TaughtCheckpoint.judgeRequest(TaughtCheckpoint.judged("gland"), "xyzq").put("temperature", 0)
                            .toString()));
            assertThat(v.at("/choices/0/message/content").asText()).isEqualTo(TaughtCheckpoint.VERDICT);
        }
    }
}

package org.pathoreason.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.util.Json;

/**
 * Loopback load, bounded in count and time: 200 requests with images from 16 concurrent clients, half of them
 * streamed. None may be lost or refused, and every response must be well-formed.
 */
class ServeLoadTest {

    static final int CLIENTS = 16;
    static final int PER_CLIENT = 200 / CLIENTS + 1;
    static final int TOKENS = 8;

    @TempDir
    Path tmp;

    @Test
    void twoHundredRequestsFromSixteenClients() throws Exception {
        TinyEvalFixture world = TinyEvalFixture.create(tmp);
        try (ApiServer server = ApiServer.start(world.checkpoint, ServeOptions.builder().port(0).maxBatch(16)
                .maxQueue(64).build())) {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<List<String>>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    List<String> ids = new ArrayList<>();
                    for (int r = 0; r < PER_CLIENT && client * PER_CLIENT + r < 200; r++) {
                        ObjectNode q = ServeTestKit.question("What is the most likely diagnosis?",
                                List.of(ServeTestKit.dataUrl(ServeTestKit.png(48 + 8 * (r % 3), 56, client * 100L + r))));
                        q.put("max_tokens", TOKENS);
                        q.put("ignore_eos", true);
                        q.put("temperature", 0.7);
                        q.put("seed", r);
                        boolean stream = (client + r) % 2 == 0;
                        q.put("stream", stream);
                        if (stream) {
                            q.putObject("stream_options").put("include_usage", true);
                        }
                        HttpResponse<String> resp = ServeTestKit.post(server, "/v1/chat/completions", null,
                                q.toString());
                        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
                        ids.add(stream ? checkStream(resp.body()) : checkWhole(resp.body()));
                    }
                    return ids;
                }));
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(8, TimeUnit.MINUTES)).as("load finished in time").isTrue();
            Set<String> ids = new HashSet<>();
            int count = 0;
            for (Future<List<String>> f : clients) {
                List<String> got = f.get();
                count += got.size();
                ids.addAll(got);
            }
            assertThat(count).isEqualTo(200);
            assertThat(ids).hasSize(200);
            String metrics = ServeTestKit.get(server, "/metrics", null).body();
            assertThat(metrics).contains("pathoreason_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 200.0");
            assertThat(metrics).contains("pathoreason_generation_tokens_total " + (200.0 * TOKENS));
        }
    }

    static String checkWhole(String body) throws Exception {
        JsonNode r = Json.MAPPER.readTree(body);
        assertThat(r.get("object").asText()).isEqualTo("chat.completion");
        assertThat(r.at("/choices/0/message/content").isTextual()).isTrue();
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(TOKENS);
        return r.get("id").asText();
    }

    static String checkStream(String body) throws Exception {
        List<String> data = ServeTestKit.sseData(body);
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        String id = null;
        int finishes = 0;
        JsonNode usage = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode c = Json.MAPPER.readTree(d);
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            id = id == null ? c.get("id").asText() : id;
            assertThat(c.get("id").asText()).isEqualTo(id);
            if (c.get("usage").isObject()) {
                usage = c.get("usage");
            } else if (!c.at("/choices/0/finish_reason").isNull()) {
                finishes++;
            }
        }
        assertThat(finishes).isEqualTo(1);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(TOKENS);
        return id;
    }
}

package org.pathoreason.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pathoreason.serve.ServeTestKit.dataUrl;
import static org.pathoreason.serve.ServeTestKit.get;
import static org.pathoreason.serve.ServeTestKit.json;
import static org.pathoreason.serve.ServeTestKit.png;
import static org.pathoreason.serve.ServeTestKit.post;
import static org.pathoreason.serve.ServeTestKit.question;
import static org.pathoreason.serve.ServeTestKit.sseData;

import ai.djl.ndarray.NDManager;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.engine.Engines;
import org.pathoreason.data.PromptEncoder;
import org.pathoreason.data.Task;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.generate.GenerationResult;
import org.pathoreason.generate.Generator;
import org.pathoreason.model.Prompt;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.util.Json;
import org.slf4j.LoggerFactory;

/** Every route, the streaming format as a client parses it, every error status, the key check and the limits. */
class ApiServerTest {

    static final String KEY = "sk-test-7f3a9c1e55d2";

    @TempDir
    static Path tmp;

    static TinyEvalFixture world;
    static ApiServer server;
    static ListAppender<ILoggingEvent> logs;
    static Path media;

    @BeforeAll
    static void start() throws Exception {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        world = TinyEvalFixture.create(tmp);
        ServeTestKit.neverStops(world.checkpoint);
        media = Files.createDirectories(tmp.resolve("media"));
        ServeTestKit.writePng(media.resolve("tile.png"), 64, 64);
        Files.write(tmp.resolve("outside.png"), png(32, 32, 1));
        server = ApiServer.start(world.checkpoint, ServeOptions.builder().port(0).apiKey(KEY).modelName("tiny")
                .mediaDir(media).maxBodyBytes(1 << 20).maxImagePixels(512 * 512).maxImagesPerRequest(2)
                .maxBatch(4).maxQueue(2).maxStreams(8).maxModelLength(1200).defaultMaxTokens(16).build());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    static ObjectNode tileQuestion(int maxTokens) {
        ObjectNode q = question("What is the most likely diagnosis?", List.of(dataUrl(png(64, 64, 5))));
        q.put("model", "tiny");
        q.put("temperature", 0);
        q.put("max_tokens", maxTokens);
        q.putArray("options").add("Acute inflammation").add("Chronic inflammation")
                .add("Granulomatous inflammation").add("Squamous cell carcinoma");
        return q;
    }

    @Test
    void healthNeedsNoKeyButEveryOtherRouteDoes() throws Exception {
        HttpResponse<String> health = get(server, "/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("ready");
        for (String path : List.of("/v1/models", "/metrics", "/", "/assets/app.js")) {
            HttpResponse<String> r = get(server, path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(json(r).at("/error/type").asText()).isEqualTo("authentication_error");
            assertThat(get(server, path, "wrong-" + KEY).statusCode()).as(path).isEqualTo(401);
        }
        assertThat(get(server, "/", null).headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Basic");
        assertThat(post(server, "/v1/chat/completions", null, tileQuestion(2).toString()).statusCode())
                .isEqualTo(401);
        assertThat(post(server, "/api/entities", "nope", "{\"text\":\"x\"}").statusCode()).isEqualTo(401);
        // the browser's way: HTTP Basic with the key as password
        String basic = Base64.getEncoder().encodeToString(("pathologist:" + KEY).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> page = ServeTestKit.HTTP.send(HttpRequest.newBuilder(
                URI.create(ServeTestKit.base(server) + "/")).header("Authorization", "Basic " + basic).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
        // the key never comes back in an error body
        HttpResponse<String> wrong = get(server, "/v1/models", KEY + "x");
        assertThat(wrong.body()).doesNotContain(KEY);
    }

    @Test
    void modelsListsTheServedModel() throws Exception {
        HttpResponse<String> r = get(server, "/v1/models", KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode m = json(r).at("/data/0");
        assertThat(json(r).get("object").asText()).isEqualTo("list");
        assertThat(m.get("id").asText()).isEqualTo("tiny");
        assertThat(m.get("object").asText()).isEqualTo("model");
        assertThat(m.get("max_model_len").asInt()).isEqualTo(1200);
        assertThat(m.at("/pathoreason/prompt_style").asText()).isEqualTo("cot");
    }

    @Test
    void aBareQuestionIsPutToTheModelAsEvaluationPutsIt() throws Exception {
        HttpResponse<String> r = post(server, "/v1/chat/completions", KEY, tileQuestion(12).toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("id").asText()).startsWith("chatcmpl-");
        assertThat(body.get("model").asText()).isEqualTo("tiny");
        JsonNode choice = body.at("/choices/0");
        assertThat(choice.at("/message/role").asText()).isEqualTo("assistant");
        assertThat(choice.get("finish_reason").asText()).isIn("stop", "length");
        JsonNode usage = body.get("usage");
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());

        // the same question through evaluation's prompt encoder and the plain generator
        Path tile = tmp.resolve("q.png");
        Files.write(tile, png(64, 64, 5));
        Sample s = Sample.builder("q").images(List.of(tile.toString())).question("What is the most likely diagnosis?")
                .options(List.of("Acute inflammation", "Chronic inflammation", "Granulomatous inflammation",
                        "Squamous cell carcinoma")).task(Task.MCQ).build();
        try (NDManager m = Engines.newManager(); CheckpointBundle c = CheckpointBundle.open(world.checkpoint, m)) {
            Prompt p = PromptEncoder.of(c, PromptStyle.COT, null).encode(s);
            GenerationResult g = new Generator(c.model(), ids -> c.tokenizer().decode(ids, true)).generate(List.of(p),
                    SamplingOptions.greedy(12).withStopTokenIds(java.util.Set.of(c.tokenizer().imEndId(),
                            c.tokenizer().endOfTextId())), null, m).get(0);
            assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(p.tokenIds().length);
            assertThat(usage.get("completion_tokens").asInt()).isEqualTo(g.tokenIds().length);
            ReasoningSplitter split = new ReasoningSplitter();
            ReasoningSplitter.Delta a = split.feed(g.text());
            ReasoningSplitter.Delta b = split.finish();
            assertThat(choice.at("/message/content").asText()).isEqualTo(a.content() + b.content());
        }
    }

    @Test
    void streamingSendsChunksThatAddUpToTheWholeAnswer() throws Exception {
        ObjectNode q = tileQuestion(14);
        String whole = json(post(server, "/v1/chat/completions", KEY, q.toString())).at("/choices/0/message/content")
                .asText();
        q.put("stream", true);
        q.putObject("stream_options").put("include_usage", true);
        HttpResponse<String> r = post(server, "/v1/chat/completions", KEY, q.toString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> data = sseData(r.body());
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        StringBuilder content = new StringBuilder();
        String id = null;
        String finish = null;
        JsonNode usage = null;
        for (int i = 0; i < data.size() - 1; i++) {
            JsonNode c = Json.MAPPER.readTree(data.get(i));
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            id = id == null ? c.get("id").asText() : id;
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.has("usage")).isTrue();
            if (c.get("choices").isEmpty()) {
                usage = c.get("usage");
                assertThat(i).isEqualTo(data.size() - 2); // the usage chunk comes last
                continue;
            }
            JsonNode delta = c.at("/choices/0/delta");
            if (i == 0) {
                assertThat(delta.get("role").asText()).isEqualTo("assistant");
            }
            content.append(delta.path("content").asText(""));
            if (!c.at("/choices/0/finish_reason").isNull()) {
                finish = c.at("/choices/0/finish_reason").asText();
            }
        }
        assertThat(content.toString()).isEqualTo(whole);
        assertThat(finish).isIn("stop", "length");
        assertThat(usage.get("completion_tokens").asInt()).isBetween(1, 14);

        // n = 2, seeded sampling: two choices, each streamed under its index, reproducible
        ObjectNode two = tileQuestion(6);
        two.put("temperature", 1.0);
        two.put("seed", 11);
        two.put("n", 2);
        JsonNode a = json(post(server, "/v1/chat/completions", KEY, two.toString()));
        JsonNode b = json(post(server, "/v1/chat/completions", KEY, two.toString()));
        assertThat(a.get("choices")).hasSize(2);
        assertThat(a.at("/choices/1/index").asInt()).isEqualTo(1);
        assertThat(a.get("choices")).isEqualTo(b.get("choices"));
        two.put("stream", true);
        List<String> streamed = sseData(post(server, "/v1/chat/completions", KEY, two.toString()).body());
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        for (String d : streamed.subList(0, streamed.size() - 1)) {
            JsonNode c = Json.MAPPER.readTree(d);
            texts[c.at("/choices/0/index").asInt()].append(c.at("/choices/0/delta").path("content").asText(""));
        }
        assertThat(texts[0].toString()).isEqualTo(a.at("/choices/0/message/content").asText());
        assertThat(texts[1].toString()).isEqualTo(a.at("/choices/1/message/content").asText());
    }

    @Test
    void aConversationWithItsOwnSystemTurnIsRenderedAsGiven() throws Exception {
        ObjectNode q = Json.MAPPER.createObjectNode();
        q.put("max_tokens", 4);
        q.put("temperature", 0);
        var messages = q.putArray("messages");
        messages.addObject().put("role", "system").put("content", "You grade answers.");
        messages.addObject().put("role", "user").put("content", "Grade this.");
        HttpResponse<String> r = post(server, "/v1/chat/completions", KEY, q.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        // system turn and user turn as given: no CoT system prompt, so far fewer tokens than the bare question
        assertThat(json(r).at("/usage/prompt_tokens").asInt()).isLessThan(json(post(server,
                "/v1/chat/completions", KEY, tileQuestion(1).toString())).at("/usage/prompt_tokens").asInt());
        q.putArray("options").add("x");
        assertThat(json(post(server, "/v1/chat/completions", KEY, q.toString())).at("/error/param").asText())
                .isEqualTo("options");
    }

    @Test
    void errorsHaveOpenAisShapeAndStatus() throws Exception {
        assertError(post(server, "/v1/chat/completions", KEY, "{not json"), 400, "invalid_json", null);
        assertError(post(server, "/v1/chat/completions", KEY, "{}"), 400, "invalid_value", "messages");
        ObjectNode hot = tileQuestion(2);
        hot.put("temperature", 5);
        assertError(post(server, "/v1/chat/completions", KEY, hot.toString()), 400, "invalid_value", "temperature");
        ObjectNode remote = question("hi", List.of("https://example.org/tile.png"));
        assertError(post(server, "/v1/chat/completions", KEY, remote.toString()), 400, "invalid_value",
                "messages[0].content[0].image_url.url");
        ObjectNode other = tileQuestion(2);
        other.put("model", "gpt-4o");
        assertError(post(server, "/v1/chat/completions", KEY, other.toString()), 404, "not_found", "model");
        assertError(get(server, "/v1/nothing", KEY), 404, "not_found", null);
        ObjectNode tooLong = tileQuestion(2);
        tooLong.put("max_tokens", 1100);
        assertError(post(server, "/v1/chat/completions", KEY, tooLong.toString()), 400, "invalid_value",
                "max_tokens");
        // body over 1 MiB
        String big = question("x".repeat(1_100_000), List.of()).toString();
        HttpResponse<String> r413 = post(server, "/v1/chat/completions", KEY, big);
        assertError(r413, 413, "request_too_large", null);
        // three images, two allowed
        String tile = dataUrl(png(32, 32, 2));
        assertError(post(server, "/v1/chat/completions", KEY, question("x", List.of(tile, tile, tile)).toString()),
                422, "too_many_images", "messages");
        // a decompression bomb: 120 bytes claiming 100000 x 100000 pixels, refused from its header
        assertError(post(server, "/v1/chat/completions", KEY, question("x", List.of(dataUrl(bombPng()))).toString()),
                422, "image_too_large", "messages[0].content[0].image_url.url");
        assertError(post(server, "/v1/chat/completions", KEY, question("x", List.of("data:image/png;base64,AAAA"))
                .toString()), 400, "invalid_value", "messages[0].content[0].image_url.url");
        assertError(post(server, "/v1/chat/completions", KEY, question("x", List.of("data:image/gif;base64,AAAA"))
                .toString()), 400, "invalid_value", "messages[0].content[0].image_url.url");
        assertError(post(server, "/api/entities", KEY, "{\"text\": 3}"), 400, "invalid_value", "text");
        // nothing logged holds the key or a request body
        for (ILoggingEvent e : logs.list) {
            assertThat(e.getFormattedMessage()).doesNotContain(KEY).doesNotContain("xxxxxxxxxx")
                    .doesNotContain("base64");
        }
    }

    @Test
    void localFilesOnlyUnderTheMediaFolder() throws Exception {
        ObjectNode inside = question("Describe.", List.of("file:tile.png"));
        inside.put("max_tokens", 2);
        assertThat(post(server, "/v1/chat/completions", KEY, inside.toString()).statusCode()).isEqualTo(200);
        ObjectNode absolute = question("Describe.", List.of("file://" + media.resolve("tile.png")));
        absolute.put("max_tokens", 2);
        assertThat(post(server, "/v1/chat/completions", KEY, absolute.toString()).statusCode()).isEqualTo(200);
        for (String url : List.of("file:../outside.png", "file://" + tmp.resolve("outside.png"),
                "file:%2e%2e/outside.png", "file:missing.png")) {
            assertError(post(server, "/v1/chat/completions", KEY, question("x", List.of(url)).toString()), 400,
                    "invalid_value", "messages[0].content[0].image_url.url");
        }
    }

    @Test
    void entitiesNamedInATextComeWithTheirGraphNeighbours() throws Exception {
        HttpResponse<String> r = post(server, "/api/entities", KEY,
                "{\"text\": \"Sheets of plasma cells suggest chronic inflammation.\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode entities = json(r).get("entities");
        assertThat(entities.size()).isGreaterThanOrEqualTo(2);
        List<String> names = new ArrayList<>();
        for (JsonNode e : entities) {
            names.add(e.get("text").asText().toLowerCase());
            assertThat(e.get("end").asInt()).isGreaterThan(e.get("start").asInt());
        }
        assertThat(names).contains("plasma cells", "chronic inflammation");
        assertThat(entities.get(0).get("neighbours").size()).isPositive();
    }

    @Test
    void metricsInPrometheusText() throws Exception {
        post(server, "/v1/chat/completions", KEY, tileQuestion(2).toString());
        HttpResponse<String> r = get(server, "/metrics", KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        String m = r.body();
        assertThat(m).contains("pathoreason_requests_total{route=\"/v1/chat/completions\",status=\"200\"}")
                .contains("pathoreason_prompt_tokens_total").contains("pathoreason_generation_tokens_total")
                .contains("pathoreason_queue_depth").contains("pathoreason_running_batch_size")
                .contains("pathoreason_time_to_first_token_seconds_bucket")
                .contains("pathoreason_request_latency_seconds_count").doesNotContain(KEY);
    }

    @Test
    void aClientThatGoesAwayStopsItsGeneration() throws Exception {
        ObjectNode q = tileQuestion(900);
        q.put("stream", true);
        q.put("stop", "never-appears-zz");
        byte[] body = q.toString().getBytes(StandardCharsets.UTF_8);
        double before = gauge("pathoreason_generation_tokens_total");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[2048];
            int seen = 0;
            while (seen < 3) { // a few events, then hang up
                int n = in.read(buf);
                assertThat(n).isPositive();
                seen += new String(buf, 0, n, StandardCharsets.UTF_8).split("data: ").length - 1;
            }
        }
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (gauge("pathoreason_running_batch_size") > 0 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(gauge("pathoreason_running_batch_size")).isZero();
        Thread.sleep(300);
        assertThat(gauge("pathoreason_generation_tokens_total") - before).isLessThan(900);
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        // one row, no queue: while a long stream runs, the next request is refused
        try (ApiServer small = ApiServer.start(world.checkpoint, ServeOptions.builder().port(0).maxBatch(1)
                .maxQueue(0).maxStreams(1).maxModelLength(1200).build())) {
            ObjectNode longOne = tileQuestion(900);
            longOne.remove("model");
            longOne.put("stream", true);
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<List<String>> running = ShutdownTest.stream(small.port(), longOne, started);
            assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            ObjectNode next = tileQuestion(1);
            next.remove("model");
            HttpResponse<String> refused = post(small, "/v1/chat/completions", null, next.toString());
            assertError(refused, 429, "server_busy", null);
            assertThat(json(refused).at("/error/message").asText()).contains("busy");
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            // and a second stream is over the open-streams limit
            ObjectNode secondStream = next.deepCopy().put("stream", true);
            HttpResponse<String> streams = post(small, "/v1/chat/completions", null, secondStream.toString());
            assertError(streams, 429, "server_busy", null);
            assertThat(json(streams).at("/error/message").asText()).contains("too many open streams");
            List<String> data = running.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
            // the row is free again (the engine frees it just after the last event goes out)
            int status = 429;
            for (int i = 0; i < 100 && status == 429; i++) {
                Thread.sleep(20);
                status = post(small, "/v1/chat/completions", null, next.toString()).statusCode();
            }
            assertThat(status).isEqualTo(200);
        }
    }

    static double gauge(String name) throws Exception {
        for (String line : get(server, "/metrics", KEY).body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + name);
    }

    static void assertError(HttpResponse<String> r, int status, String code, String param) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = json(r).get("error");
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.has("type")).isTrue();
        assertThat(e.get("code").asText()).isEqualTo(code);
        if (param == null) {
            assertThat(e.has("param")).isTrue();
        } else {
            assertThat(e.get("param").asText()).isEqualTo(param);
        }
    }

    /** A valid PNG signature and IHDR claiming 100000 x 100000 RGB pixels, with a broken, tiny IDAT. */
    static byte[] bombPng() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(100_000).putInt(100_000);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0x00, 0x00});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type.getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(type.getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}

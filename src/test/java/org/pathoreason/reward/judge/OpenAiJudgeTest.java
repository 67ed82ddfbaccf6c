package org.pathoreason.reward.judge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.RewardResult;
import org.pathoreason.reward.TestSamples;
import org.pathoreason.util.Json;

/** The LLM judge against a scripted chat-completions server on 127.0.0.1. */
class OpenAiJudgeTest {

    /** One scripted reply: status, body, and how long to wait before answering. */
    record Scripted(int status, String body, long delayMs) {
    }

    private HttpServer server;
    private ExecutorService serverThreads;
    private final ConcurrentLinkedQueue<Scripted> script = new ConcurrentLinkedQueue<>();
    private volatile Scripted whenEmpty;
    private final List<String> requestBodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authHeaders = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    @TempDir
    Path tmp;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/v1/chat/completions", exchange -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            boolean counted = true;
            try (InputStream in = exchange.getRequestBody()) {
                requestBodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                authHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                Scripted s = script.poll();
                if (s == null) {
                    s = whenEmpty;
                }
                if (s.delayMs() > 0) {
                    Thread.sleep(s.delayMs());
                }
                byte[] out = s.body().getBytes(StandardCharsets.UTF_8);
                // Leave the in-flight count before answering: once the client has the reply it may send the
                // next request before this thread would reach the finally block.
                inFlight.decrementAndGet();
                counted = false;
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(s.status(), out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up (timeout test); nothing to answer
            } finally {
                if (counted) {
                    inFlight.decrementAndGet();
                }
                exchange.close();
            }
        });
        server.start();
        whenEmpty = new Scripted(500, "{\"error\": \"script exhausted\"}", 0);
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private OpenAiJudge.Builder judge() {
        return OpenAiJudge.builder().setBaseUrl(baseUrl()).setModel("judge-model")
                .optTimeout(Duration.ofSeconds(5)).optBackoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .optFallback(0.25, 0.75);
    }

    static String chat(String content) {
        try {
            return Json.MAPPER.writeValueAsString(Map.of("choices",
                    List.of(Map.of("index", 0, "message", Map.of("role", "assistant", "content", content)))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RewardInput input(String completion) {
        return RewardInput.of(TestSamples.mcq(), completion);
    }

    @Test
    void goodReplyIsScoredByTheRubricSentWithImageAndKeyAndThenCached() throws Exception {
        Path image = tmp.resolve("tile.png");
        Files.write(image, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Sample sample = TestSamples.withImages(TestSamples.mcq(), List.of("tile.png"));
        script.add(new Scripted(200, chat(JudgeReplyParserTest.GOOD), 0));
        try (OpenAiJudge j = judge().optApiKeyEnv("JUDGE_KEY").optEnvironment(Map.of("JUDGE_KEY", "sk-secret")::get)
                .optImageRoot(tmp).build()) {
            RewardInput in = new RewardInput(sample, "<think>lots of plasma cells</think><answer>B</answer>", 12, 64);
            JudgeScore s = j.judge(in);
            assertThat(s.source()).isEqualTo(JudgeScore.Source.JUDGED);
            assertThat(s.integrity()).isEqualTo(0.6);
            assertThat(s.knowledge()).isEqualTo(0.6);

            JsonNode req = Json.MAPPER.readTree(requestBodies.get(0));
            assertThat(req.get("model").asText()).isEqualTo("judge-model");
            assertThat(req.at("/messages/0/role").asText()).isEqualTo("system");
            assertThat(req.at("/messages/0/content").asText()).contains("option_elimination");
            JsonNode parts = req.at("/messages/1/content");
            assertThat(parts.get(0).at("/image_url/url").asText()).startsWith("data:image/png;base64,iVBORw");
            String text = parts.get(1).get("text").asText();
            assertThat(text).contains("B. Chronic inflammation", "lots of plasma cells", "Correct answer: B");
            assertThat(authHeaders.get(0)).isEqualTo("Bearer sk-secret");

            JudgeScore again = j.judge(in);
            assertThat(again.source()).isEqualTo(JudgeScore.Source.CACHED);
            assertThat(again.integrity()).isEqualTo(0.6);
            assertThat(requestBodies).hasSize(1);
            assertThat(j.stats().cached()).isEqualTo(1);
        }
    }

    @Test
    void chattyRepliesAreUnderstood() {
        script.add(new Scripted(200, chat("Let me look.\n```json\n" + JudgeReplyParserTest.GOOD + "\n```\nDone."), 0));
        try (OpenAiJudge j = judge().build()) {
            JudgeScore s = j.judge(input("<think>x</think><answer>B</answer>"));
            assertThat(s.source()).isEqualTo(JudgeScore.Source.JUDGED);
            assertThat(s.breaches()).containsExactly(ProcessRubric.KnowledgeBreach.LOGICAL_CONTRADICTION);
        }
    }

    @Test
    void malformedJsonIsRetriedThenFallsBack() {
        whenEmpty = new Scripted(200, chat("{\"integrity\": {\"image_features\": tru"), 0);
        try (OpenAiJudge j = judge().optMaxAttempts(3).build()) {
            JudgeScore s = j.judge(input("<think>x</think><answer>B</answer>"));
            assertThat(s.source()).isEqualTo(JudgeScore.Source.FALLBACK);
            assertThat(s.integrity()).isEqualTo(0.25);
            assertThat(s.knowledge()).isEqualTo(0.75);
            assertThat(s.note()).contains("unreadable reply");
            assertThat(requestBodies).hasSize(3);
        }
    }

    @Test
    void malformedThenGoodReplyRecovers() {
        script.add(new Scripted(200, "not json at all", 0));
        script.add(new Scripted(200, chat(JudgeReplyParserTest.GOOD), 0));
        try (OpenAiJudge j = judge().build()) {
            assertThat(j.judge(input("a")).source()).isEqualTo(JudgeScore.Source.JUDGED);
            assertThat(requestBodies).hasSize(2);
        }
    }

    @Test
    void timeoutsAreRetriedAndEndInTheFallbackQuickly() {
        whenEmpty = new Scripted(200, chat(JudgeReplyParserTest.GOOD), 3000);
        long start = System.nanoTime();
        try (OpenAiJudge j = judge().optTimeout(Duration.ofMillis(200)).optMaxAttempts(2).build()) {
            JudgeScore s = j.judge(input("a"));
            assertThat(s.source()).isEqualTo(JudgeScore.Source.FALLBACK);
            assertThat(s.note()).contains("timed out");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void serverErrorsAreRetriedUntilSuccess() {
        script.add(new Scripted(500, "{\"error\": \"overloaded\"}", 0));
        script.add(new Scripted(503, "busy", 0));
        script.add(new Scripted(200, chat(JudgeReplyParserTest.GOOD), 0));
        try (OpenAiJudge j = judge().optMaxAttempts(4).build()) {
            JudgeScore s = j.judge(input("a"));
            assertThat(s.source()).isEqualTo(JudgeScore.Source.JUDGED);
            assertThat(requestBodies).hasSize(3);
            assertThat(j.stats().retries()).isEqualTo(2);
        }
    }

    @Test
    void permanentFailuresFallBackWithoutEndlessRetries() throws IOException {
        script.add(new Scripted(401, "{\"error\": \"bad key\"}", 0));
        try (OpenAiJudge j = judge().optMaxAttempts(4).build()) {
            JudgeScore s = j.judge(input("a"));
            assertThat(s.source()).isEqualTo(JudgeScore.Source.FALLBACK);
            assertThat(s.note()).contains("HTTP 401");
            assertThat(requestBodies).hasSize(1); // 4xx other than 408/409/429 is not retried
        }
        // Nobody listening at all: connection errors, retried, then the fallback; never an exception.
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (OpenAiJudge j = OpenAiJudge.builder().setBaseUrl("http://127.0.0.1:" + closedPort + "/v1")
                .setModel("m").optMaxAttempts(2).optBackoff(Duration.ofMillis(5), Duration.ofMillis(5)).build()) {
            JudgeScore s = j.judge(input("a"));
            assertThat(s.source()).isEqualTo(JudgeScore.Source.FALLBACK);
            assertThat(s.note()).contains("connection error");
            assertThat(new ProcessReward(j).score(input("b")).part("judge_fallback")).isEqualTo(1.0);
        }
    }

    @Test
    void batchesRunInParallelWithinTheConcurrencyBound() {
        whenEmpty = new Scripted(200, chat(JudgeReplyParserTest.GOOD), 150);
        List<RewardInput> inputs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inputs.add(RewardInput.of(TestSamples.withId(TestSamples.mcq(), "s" + i), "completion " + i));
        }
        try (OpenAiJudge j = judge().optMaxConcurrency(3).build()) {
            List<RewardResult> results = new ProcessReward(j).scoreAll(inputs);
            assertThat(results).hasSize(8).allSatisfy(r -> {
                assertThat(r.value()).isEqualTo(0.6);
                assertThat(r.part("judge_fallback")).isZero();
            });
        }
        assertThat(requestBodies).hasSize(8);
        assertThat(maxInFlight.get()).isBetween(2, 3);
    }

    @Test
    void onDiskCacheSurvivesARestartAndSkipsTornLines() throws IOException {
        Path cacheFile = tmp.resolve("cache/judge.jsonl");
        script.add(new Scripted(200, chat(JudgeReplyParserTest.GOOD), 0));
        try (OpenAiJudge j = judge().optCacheFile(cacheFile).build()) {
            assertThat(j.judge(input("same")).source()).isEqualTo(JudgeScore.Source.JUDGED);
        }
        Files.writeString(cacheFile, "{\"key\": \"torn", java.nio.file.StandardOpenOption.APPEND);
        try (OpenAiJudge j = judge().optCacheFile(cacheFile).build()) {
            JudgeScore s = j.judge(input("same"));
            assertThat(s.source()).isEqualTo(JudgeScore.Source.CACHED);
            assertThat(s.integrity()).isEqualTo(0.6);
        }
        assertThat(requestBodies).hasSize(1);
    }

    @Test
    void unreadableImagesAreReportedToTheJudgeInsteadOfFailing() throws Exception {
        script.add(new Scripted(200, chat(JudgeReplyParserTest.GOOD), 0));
        Sample sample = TestSamples.withImages(TestSamples.mcq(), List.of("missing.png"));
        try (OpenAiJudge j = judge().optImageRoot(tmp).build()) {
            assertThat(j.judge(RewardInput.of(sample, "a")).source()).isEqualTo(JudgeScore.Source.JUDGED);
        }
        JsonNode req = Json.MAPPER.readTree(requestBodies.get(0));
        assertThat(req.at("/messages/1/content/0/text").asText()).contains("missing.png could not be loaded");
    }

    @Test
    void endpointIsTheChatCompletionsUrlOfTheBase() {
        try (OpenAiJudge j = OpenAiJudge.builder().setBaseUrl("http://h:1/v1/").setModel("m").build()) {
            assertThat(j.endpoint().toString()).isEqualTo("http://h:1/v1/chat/completions");
        }
    }
}

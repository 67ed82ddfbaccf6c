package org.pathoreason.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.util.Json;

/** Graceful shutdown: stop taking requests, let those in flight finish, then close; also on SIGTERM. */
class ShutdownTest {

    @TempDir
    Path tmp;

    static ObjectNode longStream(int tokens) {
        ObjectNode q = ServeTestKit.question("Describe the tissue.", List.of(ServeTestKit.dataUrl(
                ServeTestKit.png(56, 56, 4))));
        q.put("max_tokens", tokens);
        q.put("ignore_eos", true);
        q.put("temperature", 0);
        q.put("stream", true);
        return q;
    }

    /** Sends a stream and reads it on another thread; {@code started} opens at its first event. */
    static CompletableFuture<List<String>> stream(int port, ObjectNode body, CountDownLatch started) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<InputStream> r = ServeTestKit.HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                List<String> data = new ArrayList<>();
                try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("data: ")) {
                            data.add(line.substring(6));
                            started.countDown();
                        }
                    }
                }
                return data;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void assertFinished(List<String> data, int tokens) throws Exception {
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        String last = data.get(data.size() - 2);
        assertThat(Json.MAPPER.readTree(last).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        long deltas = data.stream().filter(d -> d.contains("\"content\"")).count();
        assertThat(deltas).isGreaterThan(tokens / 2);
    }

    @Test
    void stopLetsTheRequestsInFlightFinishAndRefusesNewOnes() throws Exception {
        TinyEvalFixture world = TinyEvalFixture.create(tmp);
        ApiServer server = ApiServer.start(world.checkpoint, ServeOptions.builder().port(0)
                .drainTimeout(Duration.ofSeconds(60)).build());
        int port = server.port();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<List<String>> inFlight = stream(port, longStream(300), started);
        assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int health = 200;
        while (health == 200 && System.nanoTime() < until) {
            health = ServeTestKit.get(server, "/health", null).statusCode();
        }
        assertThat(health).isEqualTo(503);
        HttpResponse<String> refused = ServeTestKit.post(server, "/v1/chat/completions", null,
                ServeTestKit.question("x", List.of()).toString());
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(ServeTestKit.json(refused).at("/error/code").asText()).isEqualTo("unavailable");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertFinished(inFlight.get(120, TimeUnit.SECONDS), 300);
        stopping.get(120, TimeUnit.SECONDS);
    }

    @Test
    void sigtermDrainsThenExits() throws Exception {
        TinyEvalFixture world = TinyEvalFixture.create(tmp);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                "org.pathoreason.cli.PathoReasonCli", "serve", "--model", world.checkpoint.toString(),
                "--port", Integer.toString(port), "--threads", "1");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("serve.log").toFile());
        Process p = pb.start();
        try {
            long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            boolean up = false;
            while (!up && System.nanoTime() < until && p.isAlive()) {
                try {
                    up = ServeTestKit.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (java.io.IOException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(up).as(java.nio.file.Files.readString(tmp.resolve("serve.log"))).isTrue();
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<List<String>> inFlight = stream(port, longStream(200), started);
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            p.destroy(); // SIGTERM
            assertFinished(inFlight.get(120, TimeUnit.SECONDS), 200);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(java.nio.file.Files.readString(tmp.resolve("serve.log"))).contains("draining").contains("stopped");
        } finally {
            p.destroyForcibly();
        }
    }
}

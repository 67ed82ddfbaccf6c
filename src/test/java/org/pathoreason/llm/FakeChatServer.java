package org.pathoreason.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.pathoreason.util.Json;

/**
 * A chat-completions server on 127.0.0.1 for tests: answers from a script of replies, then from a function of the
 * request; records every request body and Authorization header.
 */
public final class FakeChatServer implements AutoCloseable {

    /** One reply: HTTP status, body, delay before answering. */
    public record Reply(int status, String body, long delayMs) {
        /** A 200 reply whose assistant message is {@code content}. */
        public static Reply content(String content) {
            return new Reply(200, chatBody(content), 0);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private volatile Function<JsonNode, Reply> otherwise = req -> new Reply(500, "{\"error\": \"script exhausted\"}", 0);
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authHeaders = Collections.synchronizedList(new ArrayList<>());

    public FakeChatServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        server.createContext("/v1/chat/completions", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                bodies.add(body);
                authHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                Reply r = script.poll();
                if (r == null) {
                    r = otherwise.apply(Json.MAPPER.readTree(body));
                }
                if (r.delayMs() > 0) {
                    Thread.sleep(r.delayMs());
                }
                byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(r.status(), out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up (timeout tests); nothing to answer
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** The base URL to give a client ({@code http://127.0.0.1:PORT/v1}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public FakeChatServer then(Reply reply) {
        script.add(reply);
        return this;
    }

    /** How to answer once the script is used up (default: HTTP 500). */
    public FakeChatServer otherwise(Function<JsonNode, Reply> handler) {
        this.otherwise = handler;
        return this;
    }

    public List<String> bodies() {
        return List.copyOf(bodies);
    }

    public List<JsonNode> requests() {
        List<JsonNode> out = new ArrayList<>();
        for (String b : bodies()) {
            try {
                out.add(Json.MAPPER.readTree(b));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public List<String> authHeaders() {
        return List.copyOf(authHeaders);
    }

    /** The text of the last user message of a request (its text parts joined). */
    public static String userText(JsonNode request) {
        JsonNode messages = request.path("messages");
        JsonNode content = messages.path(messages.size() - 1).path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode p : content) {
            sb.append(p.path("text").asText(""));
        }
        return sb.toString();
    }

    public static String chatBody(String content) {
        try {
            return Json.MAPPER.writeValueAsString(Map.of("choices",
                    List.of(Map.of("index", 0, "message", Map.of("role", "assistant", "content", content)))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}

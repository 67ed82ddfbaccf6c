package org.pathoreason.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for a user-configured OpenAI-compatible {@code /v1/chat/completions} endpoint (OpenAI, vLLM, SGLang,
 * Ollama, llama.cpp server, ...), on {@code java.net.http}.
 *
 * <p>Each call has a timeout; failures are retried with exponential backoff (honouring {@code Retry-After}) on
 * connection errors, timeouts, HTTP 408/409/429/5xx and replies the caller cannot read; other 4xx answers are not
 * retried. At most {@code maxConcurrency} requests are in flight at once, however many threads call. When every
 * attempt fails, {@link LlmException} says why.
 *
 * <p>The API key is read from the environment variable named by {@code optApiKeyEnv} and is sent only in the
 * {@code Authorization} header; it is never logged. Logged endpoints drop user info and query.
 *
 * <pre>
 * try (ChatClient llm = ChatClient.builder().setBaseUrl("http://127.0.0.1:8000/v1")
 *         .setModel("Qwen2.5-VL-72B-Instruct").optApiKeyEnv("LLM_API_KEY").build()) {
 *     String reply = llm.complete(ChatRequest.of(ChatRequest.Message.user("Hello")));
 * }
 * </pre>
 */
public final class ChatClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChatClient.class);

    /** A reply's content that the caller could not use; the call is retried, then fails with the message. */
    public static final class UnreadableReply extends Exception {
        public UnreadableReply(String message) {
            super(message);
        }
    }

    /** Turns a reply's text into what the caller wants, or says why it cannot. */
    @FunctionalInterface
    public interface ReplyReader<T> {
        T read(String content) throws UnreadableReply;
    }

    /** Counters: HTTP requests sent and retries made. */
    public record Stats(long httpRequests, long retries) {
    }

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final Duration timeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int maxConcurrency;
    private final Semaphore permits;
    private final HttpClient http;
    private final AtomicLong httpRequests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    private ChatClient(Builder b) {
        this.endpoint = chatCompletionsUri(b.baseUrl);
        this.model = b.model;
        String key = null;
        if (b.apiKeyEnv != null) {
            key = b.environment.apply(b.apiKeyEnv);
            if (key == null || key.isBlank()) {
                LOG.warn("environment variable {} is not set; calling {} without an API key", b.apiKeyEnv,
                        forLog(endpoint));
                key = null;
            }
        }
        this.apiKey = key;
        this.timeout = b.timeout;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxConcurrency = b.maxConcurrency;
        this.permits = new Semaphore(b.maxConcurrency, true);
        this.http = HttpClient.newBuilder().connectTimeout(b.timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The URL requests go to ({@code <base>/chat/completions}). */
    public URI endpoint() {
        return endpoint;
    }

    /** The endpoint as it may appear in logs and messages (no credentials). */
    public String endpointForLog() {
        return forLog(endpoint);
    }

    public String model() {
        return model;
    }

    public int maxConcurrency() {
        return maxConcurrency;
    }

    public Stats stats() {
        return new Stats(httpRequests.get(), retries.get());
    }

    /** The reply's text. */
    public String complete(ChatRequest request) {
        return complete(request, content -> content);
    }

    /**
     * Sends the request and reads the reply with {@code reader}; a reply it cannot read counts as a failed attempt.
     *
     * @throws LlmException when every attempt failed; its {@link LlmException#reason()} is the last problem
     */
    public <T> T complete(ChatRequest request, ReplyReader<T> reader) {
        String body = requestBody(request);
        String failure = "no attempt made";
        int attempt = 0;
        try {
            while (attempt < maxAttempts) {
                attempt++;
                long retryAfterMs = -1;
                boolean retryable = true;
                try {
                    HttpResponse<String> response = send(body);
                    int status = response.statusCode();
                    if (status == 200) {
                        try {
                            return reader.read(messageContent(response.body()));
                        } catch (UnreadableReply e) {
                            failure = "unreadable reply: " + e.getMessage();
                        }
                    } else {
                        failure = "HTTP " + status + ": " + JsonReplies.excerpt(response.body());
                        retryable = status == 408 || status == 409 || status == 429 || status >= 500;
                        retryAfterMs = retryAfterMillis(response);
                    }
                } catch (HttpTimeoutException e) {
                    failure = "timed out after " + timeout.toMillis() + " ms";
                } catch (IOException e) {
                    failure = "connection error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                }
                if (!retryable || attempt == maxAttempts) {
                    break;
                }
                retries.incrementAndGet();
                LOG.debug("chat attempt {}/{} to {} failed ({}); retrying", attempt, maxAttempts, forLog(endpoint),
                        failure);
                Thread.sleep(backoffMillis(attempt, retryAfterMs));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        throw new LlmException(forLog(endpoint), failure, attempt);
    }

    private HttpResponse<String> send(String body) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (apiKey != null) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        permits.acquire();
        try {
            httpRequests.incrementAndGet();
            return http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } finally {
            permits.release();
        }
    }

    /** The JSON body sent for a request: deterministic, so it can key a cache. */
    public String requestBody(ChatRequest request) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", model);
        root.put("temperature", request.temperature());
        root.put("max_tokens", request.maxTokens());
        if (request.jsonMode()) {
            root.putObject("response_format").put("type", "json_object");
        }
        ArrayNode messages = root.putArray("messages");
        for (ChatRequest.Message m : request.messages()) {
            ObjectNode msg = messages.addObject();
            msg.put("role", m.role().wireName());
            // System and assistant text goes as a string (what every server reads); user turns as parts, the form
            // vision models take.
            if (m.role() != ChatRequest.Role.USER && m.parts().size() == 1 && m.parts().get(0) instanceof ChatRequest.Text t) {
                msg.put("content", t.text());
                continue;
            }
            ArrayNode content = msg.putArray("content");
            for (ChatRequest.Part p : m.parts()) {
                ObjectNode part = content.addObject();
                if (p instanceof ChatRequest.Text t) {
                    part.put("type", "text");
                    part.put("text", t.text());
                } else if (p instanceof ChatRequest.Image i) {
                    part.put("type", "image_url");
                    part.putObject("image_url").put("url", i.url());
                }
            }
        }
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a chat request", e);
        }
    }

    /** The assistant message text of a chat-completions response body (text, or text parts joined). */
    static String messageContent(String responseBody) throws UnreadableReply {
        JsonNode root;
        try {
            root = JsonReplies.LENIENT.readTree(responseBody);
        } catch (Exception e) {
            throw new UnreadableReply("response body is not JSON: " + JsonReplies.excerpt(responseBody));
        }
        JsonNode content = root == null ? null : root.path("choices").path(0).path("message").path("content");
        if (content == null || content.isMissingNode() || content.isNull()) {
            throw new UnreadableReply("response has no choices[0].message.content: " + JsonReplies.excerpt(responseBody));
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) { // content parts: [{"type": "text", "text": ...}, ...]
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                sb.append(part.path("text").asText(""));
            }
            return sb.toString();
        }
        throw new UnreadableReply("choices[0].message.content is neither text nor parts: "
                + JsonReplies.excerpt(responseBody));
    }

    private long backoffMillis(int attempt, long retryAfterMs) {
        long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        return retryAfterMs >= 0 ? Math.min(Math.max(retryAfterMs, capped), maxBackoff.toMillis()) : capped;
    }

    private static long retryAfterMillis(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(v -> {
            try {
                return (long) (Double.parseDouble(v.strip()) * 1000);
            } catch (NumberFormatException e) {
                return -1L; // an HTTP date: ignore, use our own backoff
            }
        }).orElse(-1L);
    }

    /** The endpoint without user info or query, which may carry credentials and must not reach the logs. */
    static String forLog(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + uri.getPath();
    }

    static URI chatCompletionsUri(String baseUrl) {
        String base = baseUrl.strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (!base.endsWith("/chat/completions")) {
            base = base + "/chat/completions";
        }
        URI uri;
        try {
            uri = URI.create(base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("chat base URL '" + baseUrl + "' is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException("chat base URL must be http(s)://..., got '" + baseUrl + "'");
        }
        return uri;
    }

    @Override
    public void close() {
        // java.net.http.HttpClient is closeable only from Java 21; its threads are daemons and end with the JVM.
    }

    /**
     * Settings: {@code setBaseUrl} and {@code setModel} are required, the rest optional with defaults suited to a
     * local vLLM server: timeout 60 s, 4 attempts, backoff 0.5 s doubling to 8 s, 8 requests in flight.
     */
    public static final class Builder {
        private String baseUrl;
        private String model;
        private String apiKeyEnv;
        private Function<String, String> environment = System::getenv;
        private Duration timeout = Duration.ofSeconds(60);
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(8);
        private int maxConcurrency = 8;

        private Builder() {
        }

        /** The API base, e.g. {@code http://127.0.0.1:8000/v1} ({@code /chat/completions} is appended). */
        public Builder setBaseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        public Builder setModel(String model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** Name of the environment variable holding the API key (not the key itself). */
        public Builder optApiKeyEnv(String variableName) {
            this.apiKeyEnv = variableName;
            return this;
        }

        /** Where variables are looked up (default {@code System::getenv}); for tests and embedding. */
        public Builder optEnvironment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        public Builder optTimeout(Duration timeout) {
            this.timeout = requirePositive(timeout, "timeout");
            return this;
        }

        /** Attempts per call including the first (1 = no retry). */
        public Builder optMaxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /** The first retry waits {@code initial}, each later one twice as long, never more than {@code max}. */
        public Builder optBackoff(Duration initial, Duration max) {
            this.initialBackoff = requirePositive(initial, "initial backoff");
            this.maxBackoff = requirePositive(max, "max backoff");
            return this;
        }

        /** Most requests in flight at once. */
        public Builder optMaxConcurrency(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConcurrency must be >= 1, got " + n);
            }
            this.maxConcurrency = n;
            return this;
        }

        public ChatClient build() {
            if (baseUrl == null || model == null) {
                throw new IllegalStateException("ChatClient needs setBaseUrl(...) and setModel(...)");
            }
            return new ChatClient(this);
        }

        private static Duration requirePositive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}

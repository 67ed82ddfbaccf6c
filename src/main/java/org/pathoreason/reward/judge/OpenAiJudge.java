package org.pathoreason.reward.judge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process judge on any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, SGLang, Ollama, llama.cpp
 * server, ...). It sends the rubric ({@link JudgePrompt}), the sample's images as base64 {@code data:} URLs, the
 * question, options, gold answer and the completion, and reads a strict-JSON verdict ({@link JudgeReplyParser}).
 *
 * <p>Made to sit inside a training loop: a per-request timeout; retries with exponential backoff (honouring
 * {@code Retry-After}) on connection errors, timeouts, 408/409/429/5xx and unreadable replies; no retry on other
 * 4xx; at most {@code maxConcurrency} requests in flight; a cache keyed by the content hash of the request
 * ({@link JudgeCache}, optionally on disk); and a configured fallback verdict whenever the judge cannot answer.
 * {@link #judge} never throws.
 *
 * <p>The API key is read from the environment variable named by {@code optApiKeyEnv} and is sent only in the
 * {@code Authorization} header; it is never logged or stored elsewhere.
 *
 * <pre>
 * try (OpenAiJudge judge = OpenAiJudge.builder()
 *         .setBaseUrl("http://127.0.0.1:8000/v1").setModel("Qwen2.5-VL-72B-Instruct")
 *         .optApiKeyEnv("JUDGE_API_KEY").optCacheFile(Path.of("runs/x/judge-cache.jsonl")).build()) {
 *     Reward process = new ProcessReward(judge);
 * }
 * </pre>
 */
public final class OpenAiJudge implements ProcessJudge, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiJudge.class);

    /** Counters for logging how the judge is doing. */
    public record Stats(long httpRequests, long judged, long cached, long fallbacks, long retries) {
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
    private final double temperature;
    private final int maxTokens;
    private final boolean jsonMode;
    private final double fallbackIntegrity;
    private final double fallbackKnowledge;
    private final JudgeCache cache;
    private final Path imageRoot;
    private final HttpClient http;
    private volatile ExecutorService pool;

    private final AtomicLong httpRequests = new AtomicLong();
    private final AtomicLong judged = new AtomicLong();
    private final AtomicLong cached = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    private OpenAiJudge(Builder b) {
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
        this.temperature = b.temperature;
        this.maxTokens = b.maxTokens;
        this.jsonMode = b.jsonMode;
        this.fallbackIntegrity = b.fallbackIntegrity;
        this.fallbackKnowledge = b.fallbackKnowledge;
        this.cache = b.cacheFile == null ? new JudgeCache() : new JudgeCache(b.cacheFile);
        this.imageRoot = b.imageRoot;
        this.http = HttpClient.newBuilder().connectTimeout(b.timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The URL requests go to ({@code <base>/chat/completions}). */
    public URI endpoint() {
        return endpoint;
    }

    public Stats stats() {
        return new Stats(httpRequests.get(), judged.get(), cached.get(), fallbacks.get(), retries.get());
    }

    @Override
    public JudgeScore judge(RewardInput input) {
        String id = input.sample().id();
        try {
            String body = requestBody(input);
            String key = JudgeCache.key(List.of(JudgePrompt.VERSION, body));
            var hit = cache.get(key);
            if (hit.isPresent()) {
                cached.incrementAndGet();
                return hit.get().withSource(JudgeScore.Source.CACHED);
            }
            String failure = "no attempt made";
            for (int attempt = 1; attempt <= maxAttempts; attempt++) {
                long retryAfterMs = -1;
                boolean retryable = true;
                try {
                    HttpResponse<String> response = send(body);
                    int status = response.statusCode();
                    if (status == 200) {
                        try {
                            JudgeScore score = JudgeReplyParser.parseVerdict(
                                    JudgeReplyParser.messageContent(response.body()));
                            cache.put(key, score);
                            judged.incrementAndGet();
                            return score;
                        } catch (JudgeReplyParser.BadReply e) {
                            failure = "unreadable reply: " + e.getMessage();
                        }
                    } else {
                        failure = "HTTP " + status + ": " + JudgeReplyParser.excerpt(response.body());
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
                LOG.debug("judge attempt {}/{} for {} failed ({}); retrying", attempt, maxAttempts, id, failure);
                Thread.sleep(backoffMillis(attempt, retryAfterMs));
            }
            return fallback(id, failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback(id, "interrupted");
        } catch (RuntimeException e) {
            return fallback(id, "unexpected error: " + e);
        }
    }

    /** Judges in parallel on up to {@code maxConcurrency} threads; results in input order, never an exception. */
    @Override
    public List<JudgeScore> judgeAll(List<RewardInput> inputs) {
        if (inputs.size() <= 1 || maxConcurrency == 1) {
            return ProcessJudge.super.judgeAll(inputs);
        }
        ExecutorService executor = pool();
        List<Future<JudgeScore>> futures = new ArrayList<>(inputs.size());
        for (RewardInput in : inputs) {
            futures.add(executor.submit(() -> judge(in)));
        }
        List<JudgeScore> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < futures.size(); i++) {
            try {
                out.add(futures.get(i).get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(fallback(inputs.get(i).sample().id(), "interrupted"));
            } catch (ExecutionException e) {
                out.add(fallback(inputs.get(i).sample().id(), "unexpected error: " + e.getCause()));
            }
        }
        return out;
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

    String requestBody(RewardInput input) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", model);
        root.put("temperature", temperature);
        root.put("max_tokens", maxTokens);
        if (jsonMode) {
            root.putObject("response_format").put("type", "json_object");
        }
        ArrayNode messages = root.putArray("messages");
        ObjectNode system = messages.addObject();
        system.put("role", "system");
        system.put("content", JudgePrompt.system());
        ObjectNode user = messages.addObject();
        user.put("role", "user");
        ArrayNode content = user.putArray("content");
        StringBuilder missingImages = new StringBuilder();
        List<ObjectNode> imageParts = new ArrayList<>();
        for (String image : input.sample().images()) {
            Path p = Path.of(image);
            if (!p.isAbsolute() && imageRoot != null) {
                p = imageRoot.resolve(p);
            }
            try {
                ObjectNode part = Json.MAPPER.createObjectNode();
                part.put("type", "image_url");
                part.putObject("image_url").put("url", ImageDataUrls.of(p));
                imageParts.add(part);
            } catch (IOException | RuntimeException e) {
                LOG.warn("sample {}: cannot read image {} for the judge ({}); judging without it",
                        input.sample().id(), p, e.getMessage());
                missingImages.append("(The image ").append(image).append(" could not be loaded.)\n");
            }
        }
        content.addAll(imageParts);
        ObjectNode text = content.addObject();
        text.put("type", "text");
        text.put("text", missingImages + JudgePrompt.user(input.sample(), input.completion()));
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise judge request", e);
        }
    }

    private JudgeScore fallback(String sampleId, String reason) {
        fallbacks.incrementAndGet();
        LOG.warn("judge {} gave no verdict for sample {} ({}); using fallback integrity {} knowledge {}",
                forLog(endpoint), sampleId, reason, fallbackIntegrity, fallbackKnowledge);
        return JudgeScore.fallback(fallbackIntegrity, fallbackKnowledge, reason);
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

    private ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (this) {
                if (pool == null) {
                    AtomicInteger n = new AtomicInteger();
                    pool = Executors.newFixedThreadPool(maxConcurrency, r -> {
                        Thread t = new Thread(r, "judge-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                }
                p = pool;
            }
        }
        return p;
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
        URI uri = URI.create(base);
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException("judge base URL must be http(s)://..., got '" + baseUrl + "'");
        }
        return uri;
    }

    @Override
    public void close() {
        ExecutorService p = pool;
        if (p != null) {
            p.shutdownNow();
        }
        cache.close();
    }

    /**
     * Settings: {@code setBaseUrl} and {@code setModel} are required, the rest optional with defaults suited to a
     * local vLLM server (timeout 60 s, 4 attempts, backoff 0.5 s doubling to 8 s, 8 in flight, temperature 0,
     * 512 reply tokens, fallback 0.5/0.5).
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
        private double temperature = 0;
        private int maxTokens = 512;
        private boolean jsonMode;
        private double fallbackIntegrity = 0.5;
        private double fallbackKnowledge = 0.5;
        private Path cacheFile;
        private Path imageRoot;

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

        /** Attempts per verdict including the first (1 = no retry). */
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

        public Builder optMaxConcurrency(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConcurrency must be >= 1, got " + n);
            }
            this.maxConcurrency = n;
            return this;
        }

        public Builder optTemperature(double t) {
            this.temperature = t;
            return this;
        }

        public Builder optMaxTokens(int n) {
            this.maxTokens = n;
            return this;
        }

        /** Ask for {@code response_format: json_object} (not every server supports it). */
        public Builder optJsonMode(boolean on) {
            this.jsonMode = on;
            return this;
        }

        /** The verdict used when the judge fails, in [0, 1] each. */
        public Builder optFallback(double integrity, double knowledge) {
            JudgeScore.fallback(integrity, knowledge, "check"); // validates the range
            this.fallbackIntegrity = integrity;
            this.fallbackKnowledge = knowledge;
            return this;
        }

        /** Keep verdicts in this JSONL file as well as in memory. */
        public Builder optCacheFile(Path file) {
            this.cacheFile = file;
            return this;
        }

        /** The folder relative image paths of samples are resolved against (the JSONL file's folder). */
        public Builder optImageRoot(Path root) {
            this.imageRoot = root;
            return this;
        }

        public OpenAiJudge build() {
            if (baseUrl == null || model == null) {
                throw new IllegalStateException("OpenAiJudge needs setBaseUrl(...) and setModel(...)");
            }
            return new OpenAiJudge(this);
        }

        private static Duration requirePositive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}

package org.pathoreason.reward.judge;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.pathoreason.llm.ChatClient;
import org.pathoreason.llm.ChatRequest;
import org.pathoreason.llm.ImageDataUrls;
import org.pathoreason.llm.LlmException;
import org.pathoreason.reward.RewardInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process judge on any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, SGLang, Ollama, llama.cpp
 * server, ...), through {@link ChatClient}. It sends the rubric ({@link JudgePrompt}), the sample's images as
 * base64 {@code data:} URLs, the question, options, gold answer and the completion, and reads a strict-JSON verdict
 * ({@link JudgeReplyParser}).
 *
 * <p>Made to sit inside a training loop: the client's timeout, retries with backoff (an unreadable verdict is
 * retried too) and bound on requests in flight; judging in parallel on up to {@code maxConcurrency} threads; a
 * cache keyed by the content hash of the request ({@link JudgeCache}, optionally on disk); and a configured
 * fallback verdict whenever the judge cannot answer. {@link #judge} never throws.
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

    private final ChatClient client;
    private final int maxConcurrency;
    private final double temperature;
    private final int maxTokens;
    private final boolean jsonMode;
    private final double fallbackIntegrity;
    private final double fallbackKnowledge;
    private final JudgeCache cache;
    private final Path imageRoot;
    private volatile ExecutorService pool;

    private final AtomicLong judged = new AtomicLong();
    private final AtomicLong cached = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();

    private OpenAiJudge(Builder b) {
        this.client = b.client.optMaxConcurrency(b.maxConcurrency).build();
        this.maxConcurrency = b.maxConcurrency;
        this.temperature = b.temperature;
        this.maxTokens = b.maxTokens;
        this.jsonMode = b.jsonMode;
        this.fallbackIntegrity = b.fallbackIntegrity;
        this.fallbackKnowledge = b.fallbackKnowledge;
        this.cache = b.cacheFile == null ? new JudgeCache() : new JudgeCache(b.cacheFile);
        this.imageRoot = b.imageRoot;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The URL requests go to ({@code <base>/chat/completions}). */
    public URI endpoint() {
        return client.endpoint();
    }

    public Stats stats() {
        ChatClient.Stats c = client.stats();
        return new Stats(c.httpRequests(), judged.get(), cached.get(), fallbacks.get(), c.retries());
    }

    @Override
    public JudgeScore judge(RewardInput input) {
        String id = input.sample().id();
        try {
            ChatRequest request = request(input);
            String key = JudgeCache.key(List.of(JudgePrompt.VERSION, client.requestBody(request)));
            var hit = cache.get(key);
            if (hit.isPresent()) {
                cached.incrementAndGet();
                return hit.get().withSource(JudgeScore.Source.CACHED);
            }
            JudgeScore score = client.complete(request, content -> {
                try {
                    return JudgeReplyParser.parseVerdict(content);
                } catch (JudgeReplyParser.BadReply e) {
                    throw new ChatClient.UnreadableReply(e.getMessage());
                }
            });
            cache.put(key, score);
            judged.incrementAndGet();
            return score;
        } catch (LlmException e) {
            return fallback(id, e.reason());
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

    ChatRequest request(RewardInput input) {
        StringBuilder missingImages = new StringBuilder();
        List<ChatRequest.Part> parts = new ArrayList<>();
        for (String image : input.sample().images()) {
            Path p = Path.of(image);
            if (!p.isAbsolute() && imageRoot != null) {
                p = imageRoot.resolve(p);
            }
            try {
                parts.add(new ChatRequest.Image(ImageDataUrls.of(p)));
            } catch (IOException | RuntimeException e) {
                LOG.warn("sample {}: cannot read image {} for the judge ({}); judging without it",
                        input.sample().id(), p, e.getMessage());
                missingImages.append("(The image ").append(image).append(" could not be loaded.)\n");
            }
        }
        parts.add(new ChatRequest.Text(missingImages + JudgePrompt.user(input.sample(), input.completion())));
        return new ChatRequest(List.of(ChatRequest.Message.system(JudgePrompt.system()),
                ChatRequest.Message.user(parts)), temperature, maxTokens, jsonMode);
    }

    private JudgeScore fallback(String sampleId, String reason) {
        fallbacks.incrementAndGet();
        LOG.warn("judge {} gave no verdict for sample {} ({}); using fallback integrity {} knowledge {}",
                client.endpointForLog(), sampleId, reason, fallbackIntegrity, fallbackKnowledge);
        return JudgeScore.fallback(fallbackIntegrity, fallbackKnowledge, reason);
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

    @Override
    public void close() {
        ExecutorService p = pool;
        if (p != null) {
            p.shutdownNow();
        }
        client.close();
        cache.close();
    }

    /**
     * Settings: {@code setBaseUrl} and {@code setModel} are required, the rest optional with defaults suited to a
     * local vLLM server (the {@link ChatClient} defaults: timeout 60 s, 4 attempts, backoff 0.5 s doubling to 8 s;
     * 8 in flight, temperature 0, 512 reply tokens, fallback 0.5/0.5).
     */
    public static final class Builder {
        private final ChatClient.Builder client = ChatClient.builder();
        private boolean hasUrl;
        private boolean hasModel;
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
            client.setBaseUrl(baseUrl);
            hasUrl = true;
            return this;
        }

        public Builder setModel(String model) {
            client.setModel(model);
            hasModel = true;
            return this;
        }

        /** Name of the environment variable holding the API key (not the key itself). */
        public Builder optApiKeyEnv(String variableName) {
            client.optApiKeyEnv(variableName);
            return this;
        }

        /** Where variables are looked up (default {@code System::getenv}); for tests and embedding. */
        public Builder optEnvironment(Function<String, String> environment) {
            client.optEnvironment(environment);
            return this;
        }

        public Builder optTimeout(Duration timeout) {
            client.optTimeout(timeout);
            return this;
        }

        /** Attempts per verdict including the first (1 = no retry). */
        public Builder optMaxAttempts(int attempts) {
            client.optMaxAttempts(attempts);
            return this;
        }

        /** The first retry waits {@code initial}, each later one twice as long, never more than {@code max}. */
        public Builder optBackoff(Duration initial, Duration max) {
            client.optBackoff(initial, max);
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
            if (!hasUrl || !hasModel) {
                throw new IllegalStateException("OpenAiJudge needs setBaseUrl(...) and setModel(...)");
            }
            return new OpenAiJudge(this);
        }
    }
}

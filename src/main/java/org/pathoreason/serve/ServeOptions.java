package org.pathoreason.serve;

import java.nio.file.Path;
import java.time.Duration;
import org.pathoreason.text.PromptStyle;

/**
 * How the server runs: where it listens, who may call it, and its limits. Build with {@link #builder()}; every
 * setting has a named default.
 *
 * @param host address to bind ({@value #DEFAULT_HOST}: this machine only)
 * @param port TCP port (0 picks a free one)
 * @param apiKey when set, every route but {@code /health} needs {@code Authorization: Bearer <key>} (or HTTP Basic
 *     with the key as password, which browsers send for the page)
 * @param mediaDir local image files that {@code file:} URLs may name, or null to refuse them
 * @param modelName the model id of {@code /v1/models} and responses (default: the checkpoint folder's name)
 * @param style how a bare question (one user turn, no system turn) is put to the model: the style's system prompt
 *     and instruction, as training and evaluation put it
 * @param graph knowledge graph for the page's entity highlights, or null for the built-in pathology graph
 * @param maxBodyBytes largest request body (413 above it)
 * @param maxImagePixels largest image, width times height, read from its header before decoding (422 above it)
 * @param maxImagesPerRequest most images in one request (422 above it), as vLLM's {@code --limit-mm-per-prompt}
 * @param maxModelLength most tokens per sequence, prompt plus completion (400 above it)
 * @param defaultMaxTokens completion tokens when the request sets none
 * @param maxBatch sequences decoded together
 * @param maxQueue sequences waiting for a place in the batch (429 with {@code Retry-After} above it)
 * @param maxStreams open streaming responses at once (429 above it)
 * @param requestTimeout time a request may take, waiting included; past it, generation ends with what it has
 * @param drainTimeout on shutdown, time given to requests in flight before they are cut
 * @param slidesDir whole-slide images served as Deep Zoom ({@code /v1/slides}, {@code /slides/...}, the viewer at
 *     {@code /viewer}), or null for none
 * @param slideCacheBytes bound of the encoded Deep Zoom tile cache
 * @param adapter a LoRA adapter folder (PEFT layout) merged into the checkpoint's weights, or null
 */
public record ServeOptions(String host, int port, String apiKey, Path mediaDir, String modelName, PromptStyle style,
                           Path graph, long maxBodyBytes, long maxImagePixels, int maxImagesPerRequest,
                           int maxModelLength, int defaultMaxTokens, int maxBatch, int maxQueue, int maxStreams,
                           Duration requestTimeout, Duration drainTimeout, Path slidesDir, long slideCacheBytes,
                           Path adapter) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    /** The environment variable the CLI reads the API key from when {@code --api-key} is not given. */
    public static final String API_KEY_ENV = "PATHOREASON_API_KEY";

    public ServeOptions {
        check(port >= 0 && port <= 65535, "port must be in 0..65535, got " + port);
        check(apiKey == null || !apiKey.isBlank(), "the API key must not be blank");
        check(maxBodyBytes > 0, "maxBodyBytes must be positive");
        check(maxImagePixels > 0, "maxImagePixels must be positive");
        check(maxImagesPerRequest >= 0, "maxImagesPerRequest must be >= 0");
        check(maxModelLength > 1, "maxModelLength must be > 1");
        check(defaultMaxTokens > 0, "defaultMaxTokens must be positive");
        check(maxBatch > 0 && maxQueue >= 0 && maxStreams > 0, "maxBatch and maxStreams must be positive, maxQueue >= 0");
        check(!requestTimeout.isNegative() && !requestTimeout.isZero(), "requestTimeout must be positive");
        check(!drainTimeout.isNegative(), "drainTimeout must be >= 0");
        check(slideCacheBytes > 0, "slideCacheBytes must be positive");
        style = style == null ? PromptStyle.COT : style;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings with their defaults. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String apiKey;
        private Path mediaDir;
        private String modelName;
        private PromptStyle style = PromptStyle.COT;
        private Path graph;
        private long maxBodyBytes = 32L << 20;
        private long maxImagePixels = 4096L * 4096;
        private int maxImagesPerRequest = 4;
        private int maxModelLength = 8192;
        private int defaultMaxTokens = 512;
        private int maxBatch = 16;
        private int maxQueue = 64;
        private int maxStreams = 64;
        private Duration requestTimeout = Duration.ofMinutes(5);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private Path slidesDir;
        private long slideCacheBytes = 64L << 20;
        private Path adapter;

        private Builder() {
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder apiKey(String v) {
            apiKey = v;
            return this;
        }

        public Builder mediaDir(Path v) {
            mediaDir = v;
            return this;
        }

        public Builder modelName(String v) {
            modelName = v;
            return this;
        }

        public Builder style(PromptStyle v) {
            style = v;
            return this;
        }

        public Builder graph(Path v) {
            graph = v;
            return this;
        }

        public Builder maxBodyBytes(long v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder maxImagePixels(long v) {
            maxImagePixels = v;
            return this;
        }

        public Builder maxImagesPerRequest(int v) {
            maxImagesPerRequest = v;
            return this;
        }

        public Builder maxModelLength(int v) {
            maxModelLength = v;
            return this;
        }

        public Builder defaultMaxTokens(int v) {
            defaultMaxTokens = v;
            return this;
        }

        public Builder maxBatch(int v) {
            maxBatch = v;
            return this;
        }

        public Builder maxQueue(int v) {
            maxQueue = v;
            return this;
        }

        public Builder maxStreams(int v) {
            maxStreams = v;
            return this;
        }

        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        public Builder drainTimeout(Duration v) {
            drainTimeout = v;
            return this;
        }

        public Builder slidesDir(Path v) {
            slidesDir = v;
            return this;
        }

        public Builder slideCacheBytes(long v) {
            slideCacheBytes = v;
            return this;
        }

        /** A LoRA adapter folder merged into the served checkpoint's weights. */
        public Builder adapter(Path v) {
            adapter = v;
            return this;
        }

        public ServeOptions build() {
            return new ServeOptions(host, port, apiKey, mediaDir, modelName, style, graph, maxBodyBytes,
                    maxImagePixels, maxImagesPerRequest, maxModelLength, defaultMaxTokens, maxBatch, maxQueue,
                    maxStreams, requestTimeout, drainTimeout, slidesDir, slideCacheBytes, adapter);
        }
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "ServeOptions[host=" + host + ", port=" + port + ", apiKey=" + (apiKey == null ? "none" : "set")
                + ", mediaDir=" + mediaDir + ", slidesDir=" + slidesDir + ", modelName=" + modelName + ", style="
                + style + "]";
    }
}

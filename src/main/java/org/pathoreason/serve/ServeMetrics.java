package org.pathoreason.serve;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * The server's Prometheus metrics: requests by route and status, prompt and completion tokens, queue depth,
 * running batch size, time to first token and request latency. Labels carry routes and status codes only, never
 * request content or credentials.
 */
final class ServeMetrics {

    private static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
        300};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final Histogram timeToFirstToken;
    private final Histogram latency;

    ServeMetrics(IntSupplier queueDepth, IntSupplier runningBatch, IntSupplier openStreams) {
        requests = Counter.builder().name("pathoreason_requests_total")
                .help("HTTP requests by route and status code").labelNames("route", "status").register(registry);
        promptTokens = Counter.builder().name("pathoreason_prompt_tokens_total")
                .help("Prompt tokens of completed chat requests").register(registry);
        completionTokens = Counter.builder().name("pathoreason_generation_tokens_total")
                .help("Generated tokens").register(registry);
        timeToFirstToken = Histogram.builder().name("pathoreason_time_to_first_token_seconds")
                .help("Time from a chat request's arrival to its first generated token").classicOnly()
                .classicUpperBounds(SECONDS).register(registry);
        latency = Histogram.builder().name("pathoreason_request_latency_seconds")
                .help("Time from a chat request's arrival to its last token").classicOnly()
                .classicUpperBounds(SECONDS).register(registry);
        GaugeWithCallback.builder().name("pathoreason_queue_depth").help("Sequences waiting for a place in the batch")
                .callback(cb -> cb.call(queueDepth.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("pathoreason_running_batch_size").help("Sequences in the decode batch")
                .callback(cb -> cb.call(runningBatch.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("pathoreason_open_streams").help("Streaming responses open")
                .callback(cb -> cb.call(openStreams.getAsInt())).register(registry);
    }

    void request(String route, int status) {
        requests.labelValues(route, Integer.toString(status)).inc();
    }

    void tokens(int prompt, int completion) {
        promptTokens.inc(prompt);
        completionTokens.inc(completion);
    }

    void firstToken(double seconds) {
        timeToFirstToken.observe(seconds);
    }

    void finished(double seconds) {
        latency.observe(seconds);
    }

    String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}

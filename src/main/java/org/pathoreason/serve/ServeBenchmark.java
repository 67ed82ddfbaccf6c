package org.pathoreason.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.pathoreason.util.Json;
import org.pathoreason.util.PathoReasonException;

/**
 * Measures the server as its clients see it, on loopback: at each concurrency level, that many clients send
 * streamed chat requests (one tile image and a multiple-choice question each, greedy, a fixed number of tokens with
 * {@code ignore_eos}) one after another; reported are requests/s, completion tokens/s, time to first token and
 * latency percentiles, and the ratio of the most concurrent level's token throughput to one client's (what
 * continuous batching buys).
 */
public final class ServeBenchmark {

    /**
     * What to measure.
     *
     * @param checkpoint the model to serve
     * @param clients concurrency levels, e.g. 1, 4, 16
     * @param requestsPerClient requests each client sends per level
     * @param maxTokens completion tokens per request
     * @param imageSide side in pixels of the generated tile sent with each request
     */
    public record Options(Path checkpoint, int[] clients, int requestsPerClient, int maxTokens, int imageSide) {
    }

    /** One concurrency level. */
    public record Row(int clients, int requests, int failed, double seconds, double requestsPerSecond,
                      double tokensPerSecond, double ttftP50, double ttftP99, double latencyP50, double latencyP99,
                      String firstFailure) {
    }

    /** All levels, and the last level's tokens/s over the first's. */
    public record Report(String model, List<Row> rows, double speedup) {
    }

    private record Timing(double ttft, double latency, int tokens, String failure) {
        boolean ok() {
            return failure == null;
        }

        static Timing failed(String why) {
            return new Timing(0, 0, 0, why);
        }
    }

    private ServeBenchmark() {
    }

    public static Report run(Options o, Consumer<String> progress) throws InterruptedException {
        int most = Arrays.stream(o.clients()).max().orElse(1);
        ServeOptions serve = ServeOptions.builder().port(0).maxBatch(most).maxQueue(most).maxStreams(most * 2)
                .maxModelLength(1 << 15).build();
        try (ApiServer server = ApiServer.start(o.checkpoint(), serve)) {
            String url = "http://127.0.0.1:" + server.port() + "/v1/chat/completions";
            String body = body(o, server.modelName());
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            progress.accept("warm-up");
            for (int i = 0; i < 2; i++) {
                once(http, url, body);
            }
            List<Row> rows = new ArrayList<>();
            for (int c : o.clients()) {
                progress.accept(c + " client(s)");
                rows.add(level(http, url, body, c, o.requestsPerClient()));
            }
            double speedup = rows.get(rows.size() - 1).tokensPerSecond() / rows.get(0).tokensPerSecond();
            return new Report(server.modelName(), rows, speedup);
        }
    }

    private static Row level(HttpClient http, String url, String body, int clients, int perClient)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<Timing>>> futures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                List<Timing> out = new ArrayList<>();
                for (int r = 0; r < perClient; r++) {
                    out.add(once(http, url, body));
                }
                return out;
            }));
        }
        List<Timing> all = new ArrayList<>();
        for (Future<List<Timing>> f : futures) {
            try {
                all.addAll(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                throw new PathoReasonException("benchmark client failed: " + e.getCause(), e.getCause());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        int failed = 0;
        String firstFailure = null;
        long tokens = 0;
        List<Double> ttft = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        for (Timing t : all) {
            if (!t.ok()) {
                failed++;
                firstFailure = firstFailure == null ? t.failure() : firstFailure;
                continue;
            }
            tokens += t.tokens();
            ttft.add(t.ttft());
            latency.add(t.latency());
        }
        int ok = all.size() - failed;
        return new Row(clients, all.size(), failed, seconds, ok / seconds, tokens / seconds, pct(ttft, 50),
                pct(ttft, 99), pct(latency, 50), pct(latency, 99), firstFailure);
    }

    /** One streamed request: time to the first generated text, to {@code [DONE]}, and the usage's tokens. */
    private static Timing once(HttpClient http, String url, String body) {
        long t0 = System.nanoTime();
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                return Timing.failed("HTTP " + r.statusCode());
            }
            double ttft = -1;
            int tokens = -1;
            boolean done = false;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    JsonNode chunk = Json.MAPPER.readTree(data);
                    JsonNode delta = chunk.path("choices").path(0).path("delta");
                    if (ttft < 0 && (delta.path("content").asText("").length() > 0
                            || delta.path("reasoning_content").asText("").length() > 0)) {
                        ttft = (System.nanoTime() - t0) / 1e9;
                    }
                    if (chunk.path("usage").isObject()) {
                        tokens = chunk.path("usage").path("completion_tokens").asInt();
                    }
                }
            }
            double latency = (System.nanoTime() - t0) / 1e9;
            if (!done || tokens <= 0) {
                return Timing.failed(done ? "no usage chunk" : "stream ended without [DONE]");
            }
            return new Timing(ttft < 0 ? latency : ttft, latency, tokens, null);
        } catch (IOException e) {
            return Timing.failed(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Timing.failed("interrupted");
        }
    }

    private static String body(Options o, String model) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", model);
        root.put("temperature", 0);
        root.put("max_tokens", o.maxTokens());
        root.put("ignore_eos", true);
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        ArrayNode content = root.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", tile(o.imageSide()));
        content.addObject().put("type", "text").put("text", "What is the most likely diagnosis?");
        root.putArray("options").add("Acute inflammation").add("Chronic inflammation")
                .add("Granulomatous inflammation").add("Squamous cell carcinoma");
        return root.toString();
    }

    /** A pink tile with purple nuclei, as a PNG data URL. */
    private static String tile(int side) {
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(0xe8a3c7));
        g.fillRect(0, 0, side, side);
        g.setColor(new Color(0x4b2a7a));
        Random r = new Random(7);
        for (int i = 0; i < side / 3; i++) {
            int d = 3 + r.nextInt(6);
            g.fillOval(r.nextInt(side), r.nextInt(side), d, d);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static double pct(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int i = (int) Math.ceil(p / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }
}

package org.pathoreason.serve;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.pathoreason.engine.Engines;
import org.pathoreason.generate.ContinuousBatcher;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: an OpenAI-compatible API over one checkpoint, with continuous batching, and the page for a
 * pathologist at {@code /}.
 *
 * <pre>
 * GET  /                      the page (and /assets/...)
 * POST /v1/chat/completions   OpenAI / vLLM chat completions, streamed or whole
 * GET  /v1/models             the served model
 * POST /api/entities          knowledge-graph entities named in a text, with their neighbours (for the page)
 * GET  /health                200 when ready, 503 while loading or draining (no key needed)
 * GET  /metrics               Prometheus text format
 * GET  /v1/slides             the slides of the --slides folder (with one)
 * GET  /slides/NAME.dzi       a slide's Deep Zoom descriptor, and /slides/NAME_files/L/C_R.jpeg its tiles
 * GET  /viewer                a Deep Zoom viewer of those slides
 * </pre>
 *
 * <p>Binds to 127.0.0.1 unless told otherwise. With an API key every route but {@code /health} checks it in
 * constant time ({@code Authorization: Bearer <key>}, or HTTP Basic with the key as password, which a browser asks
 * for and then sends with the page's own calls); the key is never logged, and neither are request bodies. Errors
 * come in OpenAI's shape. {@link #stop()} (also on SIGTERM through the CLI's hook) stops taking requests, lets those
 * in flight finish for the drain time, then closes.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String PAGE = "/org/pathoreason/serve/page/";
    private static final Map<String, String> ASSETS = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "viewer.js", "text/javascript; charset=utf-8",
            "viewer.css", "text/css; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "logo.svg", "image/svg+xml");
    private static final String CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private enum State { LOADING, READY, DRAINING, STOPPED }

    private static final java.util.regex.Pattern TILE = java.util.regex.Pattern.compile("(\\d{1,6})_(\\d{1,6})\\.jpeg");

    private final ServeOptions options;
    private final byte[] keyDigest;
    private final Javalin app;
    private final ServeMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile State state = State.LOADING;
    private NDManager manager;
    private ServedModel model;
    private ContinuousBatcher batcher;
    private ChatCompletions chat;
    private EntityLookup entities;
    private final SlideTiles slides;

    private ApiServer(ServeOptions options) {
        this.options = options;
        this.keyDigest = options.apiKey() == null ? null : sha256(options.apiKey());
        this.slides = options.slidesDir() == null ? null : new SlideTiles(options.slidesDir(),
                options.slideCacheBytes());
        this.metrics = new ServeMetrics(() -> batcher == null ? 0 : batcher.stats().waiting(),
                () -> batcher == null ? 0 : batcher.stats().running(),
                () -> chat == null ? 0 : chat.openStreams.get());
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            config.http.maxRequestSize = options.maxBodyBytes();
            config.requestLogger.http((ctx, ms) -> {
                metrics.request(route(ctx.path()), ctx.statusCode());
                LOG.info("{} {} {} {} ms", ctx.method(), route(ctx.path()), ctx.statusCode(), Math.round(ms));
            });
            config.routes.before(this::guard);
            config.routes.get("/health", this::health);
            config.routes.get("/metrics", ctx -> ctx.contentType(ServeMetrics.contentType()).result(metrics.scrape()));
            config.routes.get("/v1/models", this::models);
            config.routes.post("/v1/chat/completions", this::chatCompletions);
            config.routes.post("/api/entities", this::entities);
            config.routes.get("/", ctx -> asset(ctx, "index.html", "text/html; charset=utf-8"));
            config.routes.get("/v1/slides", ctx -> ctx.json(slides().list()));
            config.routes.get("/viewer", ctx -> asset(ctx, "viewer.html", "text/html; charset=utf-8"));
            config.routes.get("/slides/{dzi}", ctx -> {
                String f = ctx.pathParam("dzi");
                if (!f.endsWith(".dzi")) {
                    throw ApiException.notFound(null, "no such slide file");
                }
                ctx.contentType("application/xml; charset=utf-8")
                        .result(slides().descriptor(f.substring(0, f.length() - 4)));
            });
            config.routes.get("/slides/{files}/{level}/{tile}", ctx -> {
                String files = ctx.pathParam("files");
                String tile = ctx.pathParam("tile");
                java.util.regex.Matcher m = TILE.matcher(tile);
                if (!files.endsWith("_files") || !m.matches()) {
                    throw ApiException.notFound(null, "no such tile");
                }
                int level;
                try {
                    level = Integer.parseInt(ctx.pathParam("level"));
                } catch (NumberFormatException e) {
                    throw ApiException.notFound(null, "no such level");
                }
                byte[] jpeg = slides().tile(files.substring(0, files.length() - 6), level,
                        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                ctx.header("Cache-Control", "private, max-age=3600");
                ctx.contentType("image/jpeg").result(jpeg);
            });
            config.routes.get("/assets/{name}", ctx -> {
                String type = ASSETS.get(ctx.pathParam("name"));
                if (type == null) {
                    throw ApiException.notFound(null, "no such asset");
                }
                asset(ctx, ctx.pathParam("name"), type);
            });
            config.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, fromJavalin(e)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("internal error on {} {}", ctx.method(), route(ctx.path()), e);
                error(ctx, ApiException.internal("internal server error"));
            });
            config.routes.error(404, ctx -> {
                if (ctx.attribute("api-error") == null) {
                    error(ctx, ApiException.notFound(null, "no route " + ctx.method() + " " + ctx.path()));
                }
            });
        });
    }

    /**
     * Binds the port (answering 503 while loading), loads the checkpoint and starts the batcher.
     *
     * @throws RuntimeException when the port cannot be bound or the checkpoint cannot be loaded (nothing is left
     *     running)
     */
    public static ApiServer start(Path checkpoint, ServeOptions options) {
        ApiServer server = new ApiServer(options);
        try {
            server.app.start();
        } catch (RuntimeException e) {
            throw new org.pathoreason.util.PathoReasonException("cannot listen on " + options.host() + ":"
                    + options.port() + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "); is another server using the port?", e);
        }
        server.firstRequest();
        try {
            server.load(checkpoint);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Serves one request to itself before any client can connect: Javalin 7 sets up its servlet context lazily on
     * the first request, without a lock, and concurrent first requests then fail with a NullPointerException (seen
     * as a 500 under a 16-client load test).
     */
    private void firstRequest() {
        String host = options.host().equals("0.0.0.0") || options.host().equals("::") ? "127.0.0.1" : options.host();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            http.send(HttpRequest.newBuilder(URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host)
                    + ":" + port() + "/health")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException | RuntimeException e) {
            LOG.debug("first request to itself failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void load(Path checkpoint) {
        manager = Engines.newManager();
        model = ServedModel.load(checkpoint, options.adapter(), options.modelName(), manager);
        entities = new EntityLookup(options.graph());
        batcher = new ContinuousBatcher(model.model(), model.decoder(),
                new ContinuousBatcher.Options(options.maxBatch(), options.maxQueue(), 64), manager);
        chat = new ChatCompletions(model, batcher, options, metrics);
        state = State.READY;
        LOG.info("serving {} on http://{}:{}/ (API key {})", model.name(), options.host(), port(),
                options.apiKey() == null ? "off" : "on");
    }

    /** The port bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    public String modelName() {
        return model == null ? null : model.name();
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Graceful shutdown: new requests get 503, requests in flight get the drain time to finish, then the server
     * and the model close. Safe to call more than once and from a shutdown hook.
     */
    public synchronized void stop() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.DRAINING;
        LOG.info("draining: waiting up to {} s for requests in flight", options.drainTimeout().toSeconds());
        try {
            if (batcher != null) {
                boolean drained = batcher.shutdown(options.drainTimeout());
                if (!drained) {
                    LOG.warn("requests still running after the drain time were cut");
                }
            }
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (inFlight.get() > 0 && System.nanoTime() - until < 0) {
                Thread.sleep(10); // the last responses are being written
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            app.stop();
            if (model != null) {
                model.close();
            }
            if (manager != null) {
                manager.close();
            }
            if (slides != null) {
                slides.close();
            }
            state = State.STOPPED;
            stopped.countDown();
            LOG.info("stopped");
        }
    }

    @Override
    public void close() {
        stop();
    }

    // ---------------------------------------------------------------- routes

    private SlideTiles slides() {
        if (slides == null) {
            throw ApiException.notFound(null, "this server serves no slides (start it with --slides DIR)");
        }
        return slides;
    }

    private void guard(Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        if (keyDigest == null || ctx.path().equals("/health")) {
            return;
        }
        if (!keyMatches(ctx.header("Authorization"))) {
            boolean page = ctx.path().equals("/") || ctx.path().startsWith("/assets/") || ctx.path().equals("/viewer")
                    || ctx.path().startsWith("/slides/");
            ctx.header("WWW-Authenticate", page ? "Basic realm=\"PathoReason\", charset=\"UTF-8\"" : "Bearer");
            throw ApiException.unauthorized();
        }
    }

    /** Constant time in the key: both sides are hashed to 32 bytes before comparing. */
    private boolean keyMatches(String header) {
        if (header == null) {
            return false;
        }
        String given = null;
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = header.substring(7).strip();
        } else if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(header.substring(6).strip()),
                        StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                given = colon < 0 ? pair : pair.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return given != null && MessageDigest.isEqual(sha256(given), keyDigest);
    }

    private void health(Context ctx) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("status", state.name().toLowerCase(java.util.Locale.ROOT));
        ctx.status(state == State.READY ? 200 : 503).contentType("application/json").result(body.toString());
    }

    private void ready() {
        if (state == State.LOADING) {
            throw ApiException.unavailable("the model is loading", 5);
        }
        if (state != State.READY) {
            throw ApiException.unavailable("the server is shutting down", 5);
        }
    }

    private void models(Context ctx) {
        ready();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("object", "list");
        ObjectNode m = root.putArray("data").addObject();
        m.put("id", model.name());
        m.put("object", "model");
        m.put("created", System.currentTimeMillis() / 1000);
        m.put("owned_by", "pathoreason");
        m.put("max_model_len", chat.maxModelLength());
        ObjectNode x = m.putObject("pathoreason");
        x.put("prompt_style", options.style().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        x.put("max_images_per_request", options.maxImagesPerRequest());
        x.put("max_image_pixels", options.maxImagePixels());
        x.put("default_max_tokens", options.defaultMaxTokens());
        x.put("knowledge_graph", entities.graphName());
        ctx.contentType("application/json").result(root.toString());
    }

    private void chatCompletions(Context ctx) throws Exception {
        ready();
        long arrival = System.nanoTime();
        inFlight.incrementAndGet();
        try {
            ChatRequest request = ChatRequest.parse(jsonBody(ctx));
            if (!request.stream()) {
                ctx.contentType("application/json").result(chat.complete(request, arrival).toString());
                return;
            }
            SseSink sink = new SseSink(ctx);
            chat.stream(request, arrival, sink);
            sink.close();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void entities(Context ctx) {
        ready();
        JsonNode body = jsonBody(ctx);
        JsonNode text = body.get("text");
        if (text == null || !text.isTextual()) {
            throw ApiException.badRequest("text", "'text' must be a string");
        }
        ctx.contentType("application/json").result(entities.lookup(text.asText()).toString());
    }

    private JsonNode jsonBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > options.maxBodyBytes()) {
            throw ApiException.tooLarge("the request body is " + declared + " bytes; at most "
                    + options.maxBodyBytes() + " are accepted");
        }
        byte[] bytes = ctx.bodyAsBytes();
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw ApiException.badJson("the request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw ApiException.badJson("the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static void asset(Context ctx, String name, String type) throws IOException {
        try (InputStream in = ApiServer.class.getResourceAsStream(PAGE + name)) {
            if (in == null) {
                throw ApiException.notFound(null, "no such asset");
            }
            ctx.header("Content-Security-Policy", CSP);
            ctx.header("X-Frame-Options", "DENY");
            ctx.header("Cache-Control", "no-cache");
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private static void error(Context ctx, ApiException e) {
        ctx.attribute("api-error", Boolean.TRUE);
        if (e.retryAfterSeconds() != null) {
            ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
        }
        ctx.status(e.status()).contentType("application/json").result(e.body().toString());
    }

    private static ApiException fromJavalin(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> ApiException.tooLarge("the request body is larger than the server accepts");
            case 404 -> ApiException.notFound(null, "not found");
            case 400 -> ApiException.badJson(firstLine(e.getMessage()));
            default -> e.getStatus() >= 500 ? ApiException.internal("internal server error")
                    : ApiException.badRequest(null, firstLine(e.getMessage()));
        };
    }

    /** The route's name for logs and metrics: known routes by name, anything else as "other". */
    private static String route(String path) {
        return switch (path) {
            case "/", "/health", "/metrics", "/v1/models", "/v1/chat/completions", "/api/entities", "/v1/slides",
                "/viewer" -> path;
            default -> path.startsWith("/assets/") ? "/assets" : path.startsWith("/slides/") ? "/slides" : "other";
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /** Server-sent events on the servlet's output stream; headers go out with the first event. */
    private static final class SseSink implements ChatCompletions.EventSink {
        private final Context ctx;
        private OutputStream out;

        SseSink(Context ctx) {
            this.ctx = ctx;
        }

        private OutputStream out() throws IOException {
            if (out == null) {
                ctx.status(200);
                ctx.res().setContentType("text/event-stream; charset=utf-8");
                ctx.res().setHeader("Cache-Control", "no-cache");
                ctx.res().setHeader("X-Accel-Buffering", "no");
                out = ctx.res().getOutputStream();
            }
            return out;
        }

        @Override
        public void data(String json) throws IOException {
            OutputStream o = out();
            o.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
            o.flush();
        }

        @Override
        public void comment(String text) throws IOException {
            OutputStream o = out();
            o.write((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
            o.flush();
        }

        void close() throws IOException {
            if (out != null) {
                out.close();
            }
        }
    }
}

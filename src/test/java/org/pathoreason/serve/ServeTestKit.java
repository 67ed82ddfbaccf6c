package org.pathoreason.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.pathoreason.util.Json;

/** HTTP and SSE helpers for the serve tests: requests as a client sends them, streams parsed as a client would. */
final class ServeTestKit {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private ServeTestKit() {
    }

    static String base(ApiServer server) {
        return "http://127.0.0.1:" + server.port();
    }

    static HttpResponse<String> get(ApiServer server, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(server) + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(ApiServer server, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(server) + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json");
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + r.body(), e);
        }
    }

    /** A PNG tile: pink field with purple dots. */
    static byte[] png(int width, int height, long seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(0xe8a3c7));
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(0x4b2a7a));
        Random r = new Random(seed);
        for (int i = 0; i < 30; i++) {
            int d = 3 + r.nextInt(6);
            g.fillOval(r.nextInt(width), r.nextInt(height), d, d);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String dataUrl(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    /** A chat request with one user message: the images, then the question. */
    static ObjectNode question(String text, List<String> imageUrls) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode user = root.putArray("messages").addObject();
        user.put("role", "user");
        ArrayNode content = user.putArray("content");
        for (String url : imageUrls) {
            ObjectNode p = content.addObject();
            p.put("type", "image_url");
            p.putObject("image_url").put("url", url);
        }
        content.addObject().put("type", "text").put("text", text);
        return root;
    }

    /** A stream's events as a client reads them: each {@code data:} payload, {@code [DONE]} included. */
    static List<String> sseData(String body) {
        List<String> out = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            for (String line : event.split("\n")) {
                if (line.startsWith("data: ")) {
                    out.add(line.substring(6));
                }
            }
        }
        return out;
    }

    /**
     * Makes a checkpoint's model never end a turn: the (tied) embedding rows of {@code <|im_end|>} and
     * {@code <|endoftext|>} are zeroed, so their logits stay 0 while the best of the others is positive. Greedy
     * completions then run to {@code max_tokens}, as tests of long streams need.
     */
    static void neverStops(Path checkpoint) {
        try (ai.djl.ndarray.NDManager m = org.pathoreason.engine.Engines.newManager();
             org.pathoreason.model.CheckpointBundle c = org.pathoreason.model.CheckpointBundle.open(checkpoint, m)) {
            ai.djl.ndarray.NDArray emb = c.model().parameters().get("model.embed_tokens.weight");
            org.pathoreason.engine.NoGrad.get(() -> {
                for (long id : new long[] {c.tokenizer().imEndId(), c.tokenizer().endOfTextId()}) {
                    emb.set(new ai.djl.ndarray.index.NDIndex("{}", id), 0f);
                }
                return null;
            });
            c.model().save(checkpoint);
        }
    }

    static Path writePng(Path file, int w, int h) throws IOException {
        Files.write(file, png(w, h, 3));
        return file;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}

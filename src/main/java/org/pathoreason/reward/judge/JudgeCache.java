package org.pathoreason.reward.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verdicts keyed by the SHA-256 of everything the judge saw (model, prompt, image bytes, completion), so a
 * completion repeated across steps or runs is judged once. In memory, and optionally in a JSONL file
 * ({@code {"key": ..., "score": {...}}} per line) that is read at start and appended to.
 *
 * <p>The file is an append-only log rather than an atomically replaced file because it grows by one line per
 * verdict during training; a line torn by a crash is skipped (with a warning) when the file is read back.
 * Fallback verdicts are never cached, so a judge that was down is asked again later.
 */
public final class JudgeCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JudgeCache.class);

    private final Map<String, JudgeScore> entries = new ConcurrentHashMap<>();
    private final Path file;
    private BufferedWriter writer;

    /** An in-memory cache. */
    public JudgeCache() {
        this.file = null;
    }

    /** A cache backed by {@code file} (created on first write); existing lines are loaded now. */
    public JudgeCache(Path file) {
        this.file = file;
        if (file != null && Files.exists(file)) {
            load(file);
        }
    }

    /** SHA-256 hex of the parts, each length-prefixed so that different splits never collide. */
    public static String key(List<String> parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                byte[] b = (p == null ? "" : p).getBytes(StandardCharsets.UTF_8);
                md.update((b.length + ":").getBytes(StandardCharsets.UTF_8));
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    public Optional<JudgeScore> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** Stores a verdict (not a fallback); appends it to the file when there is one. */
    public void put(String key, JudgeScore score) {
        if (score.source() == JudgeScore.Source.FALLBACK) {
            return;
        }
        JudgeScore stored = score.withSource(JudgeScore.Source.JUDGED);
        if (entries.putIfAbsent(key, stored) == null && file != null) {
            append(key, stored);
        }
    }

    public int size() {
        return entries.size();
    }

    private synchronized void append(String key, JudgeScore score) {
        try {
            if (writer == null) {
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null) {
                    Files.createDirectories(dir);
                }
                writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            ObjectNode line = Json.MAPPER.createObjectNode();
            line.put("key", key);
            line.set("score", Json.MAPPER.valueToTree(score));
            writer.write(Json.MAPPER.writeValueAsString(line));
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            // The cache is an optimisation: losing an entry must not stop training.
            LOG.warn("cannot append to judge cache {}: {}", file, e.getMessage());
        }
    }

    private void load(Path f) {
        int bad = 0;
        int lineNo = 0;
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = Json.MAPPER.readTree(line);
                    JudgeScore s = Json.MAPPER.treeToValue(n.get("score"), JudgeScore.class);
                    String key = n.get("key").asText();
                    entries.put(key, s.withSource(JudgeScore.Source.JUDGED));
                } catch (Exception e) {
                    bad++;
                    if (bad == 1) {
                        LOG.warn("{}:{}: skipping unreadable judge cache line: {}", f, lineNo, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read judge cache {}: {}; starting empty", f, e.getMessage());
        }
        if (bad > 1) {
            LOG.warn("{}: skipped {} unreadable lines in all", f, bad);
        }
    }

    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.warn("cannot close judge cache {}: {}", file, e.getMessage());
            }
            writer = null;
        }
    }
}

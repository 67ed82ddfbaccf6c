package org.pathoreason.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * A run's {@code metrics.jsonl}: one JSON object per line, {@code {"step": N, ...}}, flushed as soon as it is
 * written so a killed run loses at most the line being written.
 *
 * <p>Opening for a resumed run drops the lines of steps after the checkpoint (they will be trained again) and a
 * torn last line, so the curve has no duplicates. Several lines may share a step (a training line and a
 * validation line).
 */
public final class MetricsLog implements AutoCloseable {

    private static final TypeReference<LinkedHashMap<String, Object>> LINE = new TypeReference<>() { };

    private final Path file;
    private final BufferedWriter out;

    private MetricsLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Opens {@code file} for appending, keeping only the lines with {@code step <= keepThroughStep}: pass the
     * resumed checkpoint's step, or 0 for a fresh run (which empties an old file).
     */
    public static MetricsLog open(Path file, long keepThroughStep) {
        try {
            if (Files.exists(file)) {
                List<String> kept = new ArrayList<>();
                String text = Files.readString(file, StandardCharsets.UTF_8);
                List<String> lines = text.lines().toList();
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    if (line.isBlank()) {
                        continue;
                    }
                    Map<String, Object> row = parse(file, i + 1, line, i == lines.size() - 1);
                    if (row != null && stepOf(file, i + 1, row) <= keepThroughStep) {
                        kept.add(line);
                    }
                }
                // Rewrite when lines go, and when the last line lacks its newline (the next append would join it).
                if (kept.size() != lines.size() || !(text.isEmpty() || text.endsWith("\n"))) {
                    AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
                }
            } else if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return new MetricsLog(file, w);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open metrics log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends {@code {"step": step, ...values}} and flushes it. Non-finite numbers are written as strings. */
    public void append(long step, Map<String, ?> values) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("step", step);
        values.forEach((k, v) -> {
            if (!"step".equals(k)) {
                row.put(k, v);
            }
        });
        try {
            out.write(Json.MAPPER.writeValueAsString(row));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics log " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close metrics log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * All lines of a metrics file, in order. A torn last line (a run killed while writing) is skipped; any other
     * malformed line is an error naming the file and line.
     */
    public static List<Map<String, Object>> read(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    Map<String, Object> row = parse(file, i + 1, lines.get(i), i == lines.size() - 1);
                    if (row != null) {
                        stepOf(file, i + 1, row);
                        rows.add(row);
                    }
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read metrics log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The (step, value) pairs of one metric, for plotting: lines without {@code key} (or with a non-numeric value)
     * are left out; "NaN" and "Infinity" strings become those doubles.
     *
     * @return two arrays, steps then values
     */
    public static double[][] series(Path file, String key) {
        List<double[]> points = new ArrayList<>();
        for (Map<String, Object> row : read(file)) {
            Object v = row.get(key);
            Double value = v instanceof Number n ? Double.valueOf(n.doubleValue()) : nonFinite(v);
            if (value != null) {
                points.add(new double[] {((Number) row.get("step")).doubleValue(), value});
            }
        }
        double[][] out = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            out[0][i] = points.get(i)[0];
            out[1][i] = points.get(i)[1];
        }
        return out;
    }

    private static Double nonFinite(Object v) {
        if (v instanceof String s) {
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> null;
            };
        }
        return null;
    }

    private static Map<String, Object> parse(Path file, int lineNo, String line, boolean last) {
        try {
            return Json.MAPPER.readValue(line, LINE);
        } catch (JsonProcessingException e) {
            if (last) {
                return null; // torn by a kill during the write: the step will be logged again after resume
            }
            throw new IllegalArgumentException(file + ":" + lineNo + ": not a JSON object: "
                    + e.getOriginalMessage());
        }
    }

    private static long stepOf(Path file, int lineNo, Map<String, Object> row) {
        if (!(row.get("step") instanceof Number n)) {
            throw new IllegalArgumentException(file + ":" + lineNo + ": metrics line has no numeric \"step\"");
        }
        return n.longValue();
    }
}

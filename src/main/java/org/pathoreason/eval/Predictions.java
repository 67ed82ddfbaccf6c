package org.pathoreason.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Reads and writes predictions JSONL. {@link #read} is strict (every line must parse, ids are unique);
 * {@link #readForResume} forgives a last line cut short by a crash, so a run can carry on after it.
 */
public final class Predictions {

    private Predictions() {
    }

    /**
     * Every prediction in the file.
     *
     * @throws DataException naming file and line for malformed JSON, a missing id or prediction, a wrong type or a
     *     duplicate id
     */
    public static List<Prediction> read(Path file) {
        return read(file, false);
    }

    /** Like {@link #read}, except that a malformed last line (a write cut short) is dropped. */
    public static List<Prediction> readForResume(Path file) {
        if (!Files.exists(file)) {
            return new ArrayList<>();
        }
        return read(file, true);
    }

    private static List<Prediction> read(Path file, boolean forgiveLastLine) {
        List<String> lines;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines = r.lines().toList();
        } catch (IOException | UncheckedIOException e) {
            throw new DataException("cannot read predictions " + file + ": " + e.getMessage(), e);
        }
        List<Prediction> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            Prediction p;
            try {
                p = parse(file, i + 1, line);
            } catch (DataException e) {
                if (forgiveLastLine && i == lines.size() - 1) {
                    break;
                }
                throw e;
            }
            if (!ids.add(p.id())) {
                throw DataException.at(file, i + 1, "duplicate prediction for id '" + p.id() + "'");
            }
            out.add(p);
        }
        return out;
    }

    static Prediction parse(Path file, long lineNo, String line) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw DataException.at(file, lineNo, "malformed JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw DataException.at(file, lineNo, "expected an object {\"id\", \"prediction\", \"output_tokens\"?}");
        }
        JsonNode id = n.get("id");
        if (id == null || id.isNull() || !id.isValueNode() || id.asText().isEmpty()) {
            throw DataException.at(file, lineNo, "missing 'id'");
        }
        JsonNode pred = n.get("prediction");
        if (pred == null || !pred.isTextual()) {
            throw DataException.at(file, lineNo, "prediction for '" + id.asText() + "' is missing or not text");
        }
        JsonNode tokens = n.get("output_tokens");
        Integer outputTokens = null;
        if (tokens != null && !tokens.isNull()) {
            if (!tokens.canConvertToInt() || !tokens.isIntegralNumber() || tokens.asInt() < 0) {
                throw DataException.at(file, lineNo, "output_tokens for '" + id.asText()
                        + "' should be a non-negative integer, found " + tokens);
            }
            outputTokens = tokens.asInt();
        }
        return new Prediction(id.asText(), pred.asText(), outputTokens);
    }

    /** The samples that have no prediction yet, in their order (what a resumed run still has to generate). */
    public static List<Sample> pending(List<Sample> samples,
            List<Prediction> done) {
        Set<String> have = new HashSet<>();
        for (Prediction p : done) {
            have.add(p.id());
        }
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (!have.contains(s.id())) {
                out.add(s);
            }
        }
        return out;
    }

    /** Writes predictions atomically, one per line. */
    public static void write(Path file, List<Prediction> predictions) {
        AtomicFiles.write(file, out -> {
            for (Prediction p : predictions) {
                out.write(Json.MAPPER.writeValueAsBytes(p));
                out.write('\n');
            }
        });
    }
}

package org.pathoreason.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.pathoreason.util.Json;

/**
 * Where a checkpoint came from ({@code pathoreason.json}): the training stage that produced it, the checkpoint it
 * started from, a fingerprint of the data it saw, the seed, the metrics at save time, when it was written and by
 * which PathoReason version. Enough to tell two checkpoints apart and to replay how one was made.
 *
 * @param stage              e.g. {@code pretrain}, {@code sft}, {@code grpo}, {@code dapo}, {@code clip},
 *                           {@code import}
 * @param parentCheckpoint   path or name of the checkpoint training started from; null for none
 * @param dataFingerprint    digest of the training data; null when unknown
 * @param seed               random seed; null when unknown
 * @param metrics            metric name to value at save time (may be empty)
 * @param created            when the checkpoint was written
 * @param pathoreasonVersion the version that wrote it
 */
public record Provenance(String stage, String parentCheckpoint, String dataFingerprint, Long seed,
        Map<String, Double> metrics, Instant created, String pathoreasonVersion) {

    public Provenance {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(pathoreasonVersion, "pathoreasonVersion");
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics == null ? Map.of() : metrics));
    }

    /** A record for {@code stage} made now by this PathoReason version; add the rest with the {@code with} methods. */
    public static Provenance of(String stage) {
        return new Provenance(stage, null, null, null, Map.of(), Instant.now(), currentVersion());
    }

    public Provenance withParent(String parent) {
        return new Provenance(stage, parent, dataFingerprint, seed, metrics, created, pathoreasonVersion);
    }

    public Provenance withDataFingerprint(String fingerprint) {
        return new Provenance(stage, parentCheckpoint, fingerprint, seed, metrics, created, pathoreasonVersion);
    }

    public Provenance withSeed(long newSeed) {
        return new Provenance(stage, parentCheckpoint, dataFingerprint, newSeed, metrics, created, pathoreasonVersion);
    }

    public Provenance withMetrics(Map<String, Double> newMetrics) {
        return new Provenance(stage, parentCheckpoint, dataFingerprint, seed, newMetrics, created, pathoreasonVersion);
    }

    /** The running PathoReason version (from the jar manifest), or {@code dev} when run from classes. */
    public static String currentVersion() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("stage", stage);
        n.put("parent_checkpoint", parentCheckpoint);
        n.put("data_fingerprint", dataFingerprint);
        if (seed == null) {
            n.putNull("seed");
        } else {
            n.put("seed", seed);
        }
        ObjectNode m = n.putObject("metrics");
        metrics.forEach(m::put);
        n.put("created", created.toString());
        n.put("pathoreason_version", pathoreasonVersion);
        return n;
    }

    /** Parses {@code pathoreason.json}; {@code source} names the file in error messages. */
    public static Provenance fromJson(JsonNode n, Object source) throws CheckpointException {
        if (n == null || !n.isObject()) {
            throw new CheckpointException(source + ": expected a JSON object");
        }
        String stage = text(n, "stage", source, true);
        String created = text(n, "created", source, true);
        Instant when;
        try {
            when = Instant.parse(created);
        } catch (DateTimeParseException e) {
            throw new CheckpointException(source + ": field 'created' must be an ISO-8601 instant such as "
                    + "2025-01-31T12:00:00Z, got '" + created + "'");
        }
        JsonNode seedNode = n.get("seed");
        Long seed = null;
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.isIntegralNumber() || !seedNode.canConvertToLong()) {
                throw new CheckpointException(source + ": field 'seed' must be an integer, got " + seedNode);
            }
            seed = seedNode.asLong();
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        JsonNode m = n.get("metrics");
        if (m != null && !m.isNull()) {
            if (!m.isObject()) {
                throw new CheckpointException(source + ": field 'metrics' must be an object of numbers");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isNumber()) {
                    throw new CheckpointException(source + ": metric '" + e.getKey() + "' must be a number, got "
                            + e.getValue());
                }
                metrics.put(e.getKey(), e.getValue().asDouble());
            }
        }
        String version = text(n, "pathoreason_version", source, false);
        return new Provenance(stage, text(n, "parent_checkpoint", source, false),
                text(n, "data_fingerprint", source, false), seed, metrics, when, version == null ? "unknown" : version);
    }

    private static String text(JsonNode n, String field, Object source, boolean required) throws CheckpointException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new CheckpointException(source + ": missing field '" + field + "'");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new CheckpointException(source + ": field '" + field + "' must be a string, got " + v);
        }
        return v.asText();
    }
}

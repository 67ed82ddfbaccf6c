package org.pathoreason.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.pathoreason.model.io.CheckpointException;
import org.pathoreason.util.Json;

/**
 * A checkpoint's {@code generation_config.json} as transformers reads it: the ids that end generation, the pad id
 * and the default sampling. Fields the file omits keep transformers' defaults ({@code do_sample} false, temperature
 * 1, top-p 1, top-k 50 ignored when not sampling).
 *
 * @param eosTokenIds ids that end generation ({@code eos_token_id}, an int or a list)
 * @param padTokenId the pad id, or -1 when unset
 * @param doSample sample (true) or decode greedily (false) by default
 * @param temperature default temperature when sampling
 * @param topP default nucleus mass when sampling
 * @param topK default top-k when sampling (0 = off)
 * @param maxNewTokens default completion length, or -1 when unset
 */
public record GenerationConfig(Set<Long> eosTokenIds, long padTokenId, boolean doSample, double temperature,
        double topP, int topK, int maxNewTokens) {

    public GenerationConfig {
        eosTokenIds = Collections.unmodifiableSet(new LinkedHashSet<>(eosTokenIds));
    }

    /** What a checkpoint gets when it has no file: the given end ids, greedy. */
    public static GenerationConfig greedy(long padTokenId, Set<Long> eosTokenIds) {
        return new GenerationConfig(eosTokenIds, padTokenId, false, 1.0, 1.0, 0, -1);
    }

    /**
     * Reads a {@code generation_config.json}.
     *
     * @throws CheckpointException naming the file and the field that is not what transformers writes
     */
    public static GenerationConfig read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(file));
        } catch (java.io.IOException e) {
            throw new CheckpointException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file + ": expected a JSON object");
        }
        Set<Long> eos = new LinkedHashSet<>();
        JsonNode e = root.path("eos_token_id");
        if (e.isIntegralNumber()) {
            eos.add(e.asLong());
        } else if (e.isArray()) {
            for (JsonNode id : e) {
                if (!id.isIntegralNumber()) {
                    throw new CheckpointException(file + ": 'eos_token_id' must hold integers, found " + id);
                }
                eos.add(id.asLong());
            }
        } else if (!e.isMissingNode() && !e.isNull()) {
            throw new CheckpointException(file + ": 'eos_token_id' must be an integer or a list, found " + e);
        }
        return new GenerationConfig(eos, integer(file, root, "pad_token_id", -1),
                root.path("do_sample").asBoolean(false), number(file, root, "temperature", 1.0),
                number(file, root, "top_p", 1.0), (int) integer(file, root, "top_k", 0),
                (int) integer(file, root, "max_new_tokens", -1));
    }

    private static long integer(Path file, JsonNode root, String field, long absent) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isIntegralNumber()) {
            throw new CheckpointException(file + ": '" + field + "' must be an integer, found " + n);
        }
        return n.asLong();
    }

    private static double number(Path file, JsonNode root, String field, double absent) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return absent;
        }
        if (!n.isNumber()) {
            throw new CheckpointException(file + ": '" + field + "' must be a number, found " + n);
        }
        return n.asDouble();
    }

    /** The file transformers would read back: {@code eos_token_id}, {@code pad_token_id}, sampling defaults. */
    public ObjectNode toJson() {
        ObjectNode g = Json.MAPPER.createObjectNode();
        var eos = g.putArray("eos_token_id");
        eosTokenIds.forEach(eos::add);
        if (padTokenId >= 0) {
            g.put("pad_token_id", padTokenId);
        }
        g.put("do_sample", doSample);
        if (doSample) {
            g.put("temperature", temperature);
            g.put("top_p", topP);
            g.put("top_k", topK);
        }
        if (maxNewTokens > 0) {
            g.put("max_new_tokens", maxNewTokens);
        }
        return g;
    }
}

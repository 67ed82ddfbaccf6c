package org.pathoreason.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * A run's {@code run.json}: the resolved config (every key, so the run can be replayed from it alone) and its
 * provenance (stage, config file and its SHA-256, overrides, versions, start time, and whatever the stage adds:
 * data fingerprint, parent checkpoint, ...). A resumed run appends to {@code resumes} instead of starting over.
 */
public final class RunInfo {

    public static final String FILE = "run.json";

    private RunInfo() {
    }

    /**
     * Writes {@code runDir/run.json} atomically for a new run.
     *
     * @param stage pretrain, sft, grpo, ...
     * @param extra more provenance (e.g. {@code data}, {@code data_sha256}, {@code model}); JSON-serialisable
     */
    public static Path write(Path runDir, String stage, ConfigLoader.Resolved<?> resolved, Map<String, ?> extra) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("stage", stage);
        root.set("config", resolved.tree());
        ObjectNode prov = root.putObject("provenance");
        prov.put("created", Instant.now().toString());
        if (resolved.file() != null) {
            prov.put("config_file", resolved.file().toAbsolutePath().toString());
            prov.put("config_sha256", sha256(resolved.file()));
        }
        ArrayNode o = prov.putArray("overrides");
        resolved.overrides().forEach(o::add);
        String version = RunInfo.class.getPackage().getImplementationVersion();
        prov.put("pathoreason_version", version == null ? "dev" : version);
        prov.put("java", System.getProperty("java.version"));
        prov.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        extra.forEach((k, v) -> prov.set(k, Json.MAPPER.valueToTree(v)));
        root.putArray("resumes");
        return save(runDir, root);
    }

    /** Records in {@code run.json} that the run was resumed from checkpoint {@code step} now. */
    public static Path recordResume(Path runDir, long step) {
        ObjectNode root = (ObjectNode) read(runDir);
        ArrayNode resumes = root.has("resumes") && root.get("resumes").isArray() ? (ArrayNode) root.get("resumes")
                : root.putArray("resumes");
        resumes.addObject().put("step", step).put("at", Instant.now().toString());
        return save(runDir, root);
    }

    /** The whole {@code run.json}. */
    public static JsonNode read(Path runDir) {
        Path file = runDir.resolve(FILE);
        try {
            JsonNode node = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (node == null || !node.isObject() || !node.has("config")) {
                throw new IllegalArgumentException(file + ": not a run record (no \"config\")");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The resolved config saved in {@code run.json}, as {@code type}. */
    public static <T> T readConfig(Path runDir, Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(read(runDir).get("config"), type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(runDir.resolve(FILE) + ": config does not fit "
                    + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }

    private static Path save(Path runDir, ObjectNode root) {
        Path file = runDir.resolve(FILE);
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(root) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise run record: " + e.getMessage(), e);
        }
        return file;
    }

    private static String sha256(Path file) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("cannot hash " + file + ": " + e.getMessage());
        }
    }
}

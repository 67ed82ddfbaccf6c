package org.pathoreason.model.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * A checkpoint folder in Hugging Face layout plus PathoReason's provenance:
 * <pre>
 *   config.json                      required
 *   model.safetensors                required (or model-0000i-of-0000n.safetensors + model.safetensors.index.json)
 *   tokenizer.json                   optional
 *   tokenizer_config.json            optional (holds the chat template)
 *   preprocessor_config.json         optional
 *   generation_config.json           optional
 *   pathoreason.json                 optional when reading (foreign checkpoints lack it); always written by us
 * </pre>
 * Opening validates the required files, parses the JSON files and the weight headers, so a broken or half-copied
 * checkpoint fails at once with a message naming the file. Writing goes to a hidden temporary sibling folder that
 * is renamed into place only when complete; such temporary folders are never accepted by {@link #open}.
 */
public final class CheckpointDir implements AutoCloseable {

    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String PREPROCESSOR_CONFIG = "preprocessor_config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String PROVENANCE = "pathoreason.json";
    /** Newer transformers versions save the chat template beside the tokenizer config. */
    public static final String CHAT_TEMPLATE = "chat_template.jinja";

    static final Set<String> RESERVED = Set.of(CONFIG, TOKENIZER, TOKENIZER_CONFIG, PREPROCESSOR_CONFIG,
            GENERATION_CONFIG, PROVENANCE);

    private final Path dir;
    private final JsonNode config;
    private final SafetensorsReader weights;
    private final JsonNode tokenizerConfig;
    private final JsonNode preprocessorConfig;
    private final JsonNode generationConfig;
    private final Provenance provenance;

    private CheckpointDir(Path dir, JsonNode config, SafetensorsReader weights, JsonNode tokenizerConfig,
            JsonNode preprocessorConfig, JsonNode generationConfig, Provenance provenance) {
        this.dir = dir;
        this.config = config;
        this.weights = weights;
        this.tokenizerConfig = tokenizerConfig;
        this.preprocessorConfig = preprocessorConfig;
        this.generationConfig = generationConfig;
        this.provenance = provenance;
    }

    /** Opens and validates a checkpoint folder; close it to release the weight mappings. */
    public static CheckpointDir open(Path dir) throws CheckpointException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": not a checkpoint folder (no such directory)");
        }
        if (isTemporaryName(dir)) {
            throw new CheckpointException(dir + ": this is a temporary folder of an unfinished or replaced write, "
                    + "not a checkpoint");
        }
        Path configFile = dir.resolve(CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(dir + ": missing " + CONFIG + " (required)");
        }
        if (!hasWeights(dir)) {
            throw new CheckpointException(dir + ": missing " + SafetensorsReader.SINGLE_FILE + " (or "
                    + SafetensorsReader.INDEX_FILE + " with shards); the weights are required");
        }
        JsonNode config = readJson(configFile, true);
        if (!config.isObject()) {
            throw new CheckpointException(configFile + ": expected a JSON object");
        }
        JsonNode tokenizerConfig = readJson(dir.resolve(TOKENIZER_CONFIG), false);
        JsonNode preprocessorConfig = readJson(dir.resolve(PREPROCESSOR_CONFIG), false);
        JsonNode generationConfig = readJson(dir.resolve(GENERATION_CONFIG), false);
        Path provenanceFile = dir.resolve(PROVENANCE);
        JsonNode provenanceJson = readJson(provenanceFile, false);
        Provenance provenance = provenanceJson == null ? null : Provenance.fromJson(provenanceJson, provenanceFile);
        SafetensorsReader weights;
        try {
            weights = SafetensorsReader.open(dir);
        } catch (SafetensorsException e) {
            throw new CheckpointException(dir + ": unreadable weights: " + e.getMessage(), e);
        }
        return new CheckpointDir(dir, config, weights, tokenizerConfig, preprocessorConfig, generationConfig,
                provenance);
    }

    /** True for a finished checkpoint folder: not a temporary write, with config.json and weights present. */
    public static boolean isCheckpoint(Path dir) {
        return Files.isDirectory(dir) && !isTemporaryName(dir) && Files.isRegularFile(dir.resolve(CONFIG))
                && hasWeights(dir);
    }

    private static boolean hasWeights(Path dir) {
        return Files.isRegularFile(dir.resolve(SafetensorsReader.SINGLE_FILE))
                || Files.isRegularFile(dir.resolve(SafetensorsReader.INDEX_FILE));
    }

    /** Folders whose names start with a dot are the atomic writer's temporary or replaced folders. */
    private static boolean isTemporaryName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name != null && name.toString().startsWith(".");
    }

    private static JsonNode readJson(Path file, boolean required) throws CheckpointException {
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new CheckpointException(file + ": missing (required)");
            }
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(file.toFile());
            if (n == null || n.isMissingNode()) {
                throw new CheckpointException(file + ": empty file, expected JSON");
            }
            return n;
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e, e);
        }
    }

    /**
     * Writes a checkpoint folder atomically: everything goes into a hidden temporary sibling, which replaces
     * {@code target} only once complete. On failure {@code target} is untouched (an earlier checkpoint there
     * survives) and the temporary folder is removed.
     */
    public static void write(Path target, CheckpointContents contents) throws IOException {
        if (contents.config == null) {
            throw new IllegalArgumentException("checkpoint " + target + ": config is required");
        }
        if (contents.weights == null) {
            throw new IllegalArgumentException("checkpoint " + target + ": weights are required");
        }
        if (contents.provenance == null) {
            throw new IllegalArgumentException("checkpoint " + target + ": provenance is required");
        }
        try {
            AtomicFiles.writeFolder(target, tmp -> fill(tmp, contents));
        } catch (UncheckedIOException e) {
            throw new IOException(e.getMessage(), e.getCause());
        }
    }

    private static void fill(Path tmp, CheckpointContents c) throws IOException {
        writeJson(tmp.resolve(CONFIG), c.config);
        // transformers refuses safetensors weights whose metadata lacks format=pt
        c.weights.metadataIfAbsent("format", "pt");
        c.weights.writeSharded(tmp, c.maxShardBytes);
        if (c.tokenizerJson != null) {
            writeSource(tmp.resolve(TOKENIZER), c.tokenizerJson);
        }
        if (c.tokenizerConfig != null) {
            writeJson(tmp.resolve(TOKENIZER_CONFIG), c.tokenizerConfig);
        }
        if (c.preprocessorConfig != null) {
            writeJson(tmp.resolve(PREPROCESSOR_CONFIG), c.preprocessorConfig);
        }
        if (c.generationConfig != null) {
            writeJson(tmp.resolve(GENERATION_CONFIG), c.generationConfig);
        }
        for (var e : c.extraFiles.entrySet()) {
            writeSource(tmp.resolve(e.getKey()), e.getValue());
        }
        writeJson(tmp.resolve(PROVENANCE), c.provenance.toJson());
    }

    private static void writeJson(Path file, JsonNode node) throws IOException {
        Files.write(file, Json.PRETTY.writeValueAsBytes(node));
    }

    private static void writeSource(Path file, CheckpointContents.Source source) throws IOException {
        if (source instanceof CheckpointContents.Bytes b) {
            Files.write(file, b.content());
        } else if (source instanceof CheckpointContents.CopyOf c) {
            Files.copy(c.file(), file);
        }
    }

    public Path path() {
        return dir;
    }

    /** The parsed {@code config.json}. */
    public JsonNode config() {
        return config;
    }

    /** The weights, validated and memory-mapped; closed with this checkpoint. */
    public SafetensorsReader weights() {
        return weights;
    }

    public Optional<Path> tokenizerJson() {
        return file(TOKENIZER);
    }

    public Optional<JsonNode> tokenizerConfig() {
        return Optional.ofNullable(tokenizerConfig);
    }

    /**
     * The chat template: {@code chat_template} in {@code tokenizer_config.json}, else {@code chat_template.jinja}
     * beside it (as newer transformers versions save it).
     */
    public Optional<String> chatTemplate() throws CheckpointException {
        return chatTemplate(dir, tokenizerConfig);
    }

    /**
     * The chat template of the model folder {@code dir}, read as {@link #chatTemplate()} does, without opening the
     * weights; empty when the folder declares none.
     *
     * @throws CheckpointException when {@code tokenizer_config.json} or {@code chat_template.jinja} is unreadable
     */
    public static Optional<String> readChatTemplate(Path dir) throws CheckpointException {
        return chatTemplate(dir, readJson(dir.resolve(TOKENIZER_CONFIG), false));
    }

    private static Optional<String> chatTemplate(Path dir, JsonNode tokenizerConfig) throws CheckpointException {
        if (tokenizerConfig != null && tokenizerConfig.path("chat_template").isTextual()) {
            return Optional.of(tokenizerConfig.get("chat_template").asText());
        }
        Path jinja = dir.resolve(CHAT_TEMPLATE);
        if (Files.isRegularFile(jinja)) {
            try {
                return Optional.of(Files.readString(jinja));
            } catch (IOException e) {
                throw new CheckpointException(jinja + ": cannot read: " + e, e);
            }
        }
        return Optional.empty();
    }

    public Optional<JsonNode> preprocessorConfig() {
        return Optional.ofNullable(preprocessorConfig);
    }

    public Optional<Path> preprocessorConfigFile() {
        return file(PREPROCESSOR_CONFIG);
    }

    public Optional<JsonNode> generationConfig() {
        return Optional.ofNullable(generationConfig);
    }

    /** The {@code pathoreason.json} record; empty for checkpoints made elsewhere. */
    public Optional<Provenance> provenance() {
        return Optional.ofNullable(provenance);
    }

    /** Any file in the checkpoint by plain name, when present. */
    public Optional<Path> file(String name) {
        Path p = dir.resolve(name);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    @Override
    public void close() {
        weights.close();
    }
}

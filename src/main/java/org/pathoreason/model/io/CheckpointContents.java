package org.pathoreason.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What goes into a checkpoint folder, gathered before {@link CheckpointDir#write} writes it in one atomic step.
 * {@code config}, {@code weights} and {@code provenance} are required; the tokenizer, its config (with the chat
 * template), the preprocessor and generation configs and any extra files are optional.
 */
public final class CheckpointContents {

    /** Hugging Face's default {@code max_shard_size} ("5GB"). */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /** A file's content: either bytes in memory or a file to copy. */
    sealed interface Source permits Bytes, CopyOf {
    }

    record Bytes(byte[] content) implements Source {
    }

    record CopyOf(Path file) implements Source {
    }

    JsonNode config;
    SafetensorsWriter weights;
    long maxShardBytes = DEFAULT_MAX_SHARD_BYTES;
    Provenance provenance;
    Source tokenizerJson;
    JsonNode tokenizerConfig;
    JsonNode preprocessorConfig;
    JsonNode generationConfig;
    final Map<String, Source> extraFiles = new LinkedHashMap<>();

    /** The model's {@code config.json} (required). */
    public CheckpointContents config(JsonNode config) {
        this.config = Objects.requireNonNull(config, "config");
        return this;
    }

    /** The weights (required); written as {@code model.safetensors} or shards, with {@code format=pt} metadata. */
    public CheckpointContents weights(SafetensorsWriter weights) {
        this.weights = Objects.requireNonNull(weights, "weights");
        return this;
    }

    /** Largest shard; more weights than this are split into shards with an index (default 5 GB, as HF). */
    public CheckpointContents maxShardBytes(long maxShardBytes) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
        }
        this.maxShardBytes = maxShardBytes;
        return this;
    }

    /** The provenance record written as {@code pathoreason.json} (required). */
    public CheckpointContents provenance(Provenance provenance) {
        this.provenance = Objects.requireNonNull(provenance, "provenance");
        return this;
    }

    /** Copies an existing {@code tokenizer.json} into the checkpoint. */
    public CheckpointContents tokenizerJson(Path file) {
        this.tokenizerJson = new CopyOf(Objects.requireNonNull(file, "file"));
        return this;
    }

    /** Writes the given {@code tokenizer.json} text. */
    public CheckpointContents tokenizerJson(String content) {
        this.tokenizerJson = new Bytes(content.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** {@code tokenizer_config.json}, normally holding the special tokens and the {@code chat_template}. */
    public CheckpointContents tokenizerConfig(JsonNode tokenizerConfig) {
        this.tokenizerConfig = tokenizerConfig;
        return this;
    }

    /** {@code preprocessor_config.json} (see {@code org.pathoreason.image.PreprocessorConfig#toJson}). */
    public CheckpointContents preprocessorConfig(JsonNode preprocessorConfig) {
        this.preprocessorConfig = preprocessorConfig;
        return this;
    }

    /** {@code generation_config.json}. */
    public CheckpointContents generationConfig(JsonNode generationConfig) {
        this.generationConfig = generationConfig;
        return this;
    }

    /** Any other file (a plain name such as {@code chat_template.jinja}), from bytes. */
    public CheckpointContents file(String name, byte[] content) {
        extraFiles.put(checkName(name), new Bytes(content.clone()));
        return this;
    }

    /** Any other file (a plain name), copied from {@code source}. */
    public CheckpointContents file(String name, Path source) {
        extraFiles.put(checkName(name), new CopyOf(source));
        return this;
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")
                || CheckpointDir.RESERVED.contains(name) || name.endsWith(".safetensors")
                || name.equals(SafetensorsReader.INDEX_FILE)) {
            throw new IllegalArgumentException("'" + name + "' cannot be an extra checkpoint file: use a plain, "
                    + "non-hidden file name that is not one of the standard files or weights");
        }
        return name;
    }
}

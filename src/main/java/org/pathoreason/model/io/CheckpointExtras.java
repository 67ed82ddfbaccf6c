package org.pathoreason.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;
import org.pathoreason.util.Json;

/**
 * Everything of a loadable model folder besides the weights, as a trainer writes it into each checkpoint and into
 * {@code final/}, given the model folder training started from ({@code parent}):
 * <ul>
 *   <li>{@code config.json}, unless the weights' writer already put one there;</li>
 *   <li>{@code tokenizer.json};</li>
 *   <li>{@code tokenizer_config.json} and {@code generation_config.json} copied from {@code parent} when it has
 *       them (they may carry a chat template or sampling settings we would not rebuild the same), else the
 *       fallbacks, which are built only then;</li>
 *   <li>{@code preprocessor_config.json};</li>
 *   <li>{@code pathoreason.json}: the given provenance with {@code parent} (absolute) as its parent checkpoint.</li>
 * </ul>
 * Files are written plainly: callers write into a temporary folder that is renamed into place when complete.
 *
 * @param parent                    the model folder training started from
 * @param config                    the model's {@code config.json}
 * @param tokenizerJson             the {@code tokenizer.json} text
 * @param tokenizerConfigFallback   {@code tokenizer_config.json} for when {@code parent} has none
 * @param generationConfigFallback  {@code generation_config.json} for when {@code parent} has none
 * * @param preprocessorConfig        the {@code preprocessor_config.json} the images were processed with
 */
public record CheckpointExtras(Path parent, JsonNode config, String tokenizerJson,
        Supplier<? extends JsonNode> tokenizerConfigFallback, Supplier<? extends JsonNode> generationConfigFallback,
        JsonNode preprocessorConfig) {

    public CheckpointExtras {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        Objects.requireNonNull(tokenizerConfigFallback, "tokenizerConfigFallback");
        Objects.requireNonNull(generationConfigFallback, "generationConfigFallback");
        Objects.requireNonNull(preprocessorConfig, "preprocessorConfig");
    }


    /** Writes the files into {@code dir}, with {@code provenance}'s parent set to {@link #parent}. */
    public void write(Path dir, Provenance provenance) throws IOException {
        write(dir, provenance.withParent(parent.toAbsolutePath().toString()).toJson());
    }

    /** As {@link #write(Path, Provenance)}, recording also the optimiser step the checkpoint was saved at. */
    public void write(Path dir, Provenance provenance, long step) throws IOException {
        ObjectNode prov = provenance.withParent(parent.toAbsolutePath().toString()).toJson();
        prov.put("step", step);
        write(dir, prov);
    }

    private void write(Path dir, ObjectNode provenance) throws IOException {
        Path configFile = dir.resolve(CheckpointDir.CONFIG);
        if (!Files.exists(configFile)) {
            // the same bytes as the model config's own writer, which ends the file with a newline
            Files.writeString(configFile, Json.PRETTY.writeValueAsString(config) + "\n");
        }
        Files.writeString(dir.resolve(CheckpointDir.TOKENIZER), tokenizerJson);
        copyOrWrite(CheckpointDir.TOKENIZER_CONFIG, dir, tokenizerConfigFallback);
        copyOrWrite(CheckpointDir.GENERATION_CONFIG, dir, generationConfigFallback);
        writeJson(dir.resolve(CheckpointDir.PREPROCESSOR_CONFIG), preprocessorConfig);
        writeJson(dir.resolve(CheckpointDir.PROVENANCE), provenance);
    }

    private void copyOrWrite(String name, Path dir, Supplier<? extends JsonNode> fallback) throws IOException {
        Path source = parent.resolve(name);
        if (Files.isRegularFile(source)) {
            Files.copy(source, dir.resolve(name));
        } else {
            writeJson(dir.resolve(name), Objects.requireNonNull(fallback.get(), name + " fallback"));
        }
    }

    private static void writeJson(Path file, JsonNode node) throws IOException {
        Files.write(file, Json.PRETTY.writeValueAsBytes(node));
    }
}

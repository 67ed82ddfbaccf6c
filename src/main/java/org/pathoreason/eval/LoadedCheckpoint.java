package org.pathoreason.eval;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.util.Json;

/**
 * Everything evaluation needs from a checkpoint folder: the model ({@code config.json} and weights), its tokenizer
 * ({@code tokenizer.json}) and its image preprocessing ({@code preprocessor_config.json}, transformers' defaults
 * when the file is absent), checked to belong together. Closing it frees the model and the tokenizer.
 */
public final class LoadedCheckpoint implements AutoCloseable {

    private final Path dir;
    private final Qwen2VLModel model;
    private final Tokenizer tokenizer;
    private final QwenImageProcessor processor;
    private final String name;

    private LoadedCheckpoint(Path dir, Qwen2VLModel model, Tokenizer tokenizer, QwenImageProcessor processor,
            String name) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.processor = processor;
        this.name = name;
    }

    /**
     * Loads a checkpoint folder.
     *
     * @param manager parent of the model's parameters
     * @throws ModelException naming the folder and the file when something is missing or does not fit
     */
    public static LoadedCheckpoint load(Path dir, NDManager manager) {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new ModelException("checkpoint folder " + dir + " does not exist");
        }
        Path tokenizerJson = dir.resolve(CheckpointDir.TOKENIZER);
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelException("checkpoint " + dir + " has no " + CheckpointDir.TOKENIZER
                    + "; evaluation needs the tokenizer the model was trained with");
        }
        QwenImageProcessor processor = new QwenImageProcessor(preprocessorConfig(dir));
        Tokenizer tokenizer = Tokenizer.load(tokenizerJson);
        Qwen2VLModel model = null;
        try {
            model = Qwen2VLModel.load(dir, manager);
            EvalRunner.checkTokenizerFitsModel(model, tokenizer);
            return new LoadedCheckpoint(dir, model, tokenizer, processor, name(dir));
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    private static PreprocessorConfig preprocessorConfig(Path dir) {
        Path file = dir.resolve(CheckpointDir.PREPROCESSOR_CONFIG);
        if (!Files.isRegularFile(file)) {
            return PreprocessorConfig.defaults();
        }
        try {
            return PreprocessorConfig.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelException("checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The folder's absolute path with the time the checkpoint was made ({@code pathoreason.json}'s
     * {@code created}, else the weights' modification time), so that a retrained checkpoint in the same folder
     * has another name.
     */
    private static String name(Path dir) {
        String path = dir.toAbsolutePath().normalize().toString();
        try {
            Path provenance = dir.resolve(CheckpointDir.PROVENANCE);
            if (Files.isRegularFile(provenance)) {
                JsonNode created = Json.MAPPER.readTree(provenance.toFile()).get("created");
                if (created != null && created.isTextual()) {
                    return path + "@" + created.asText();
                }
            }
            for (String weights : new String[] {"model.safetensors", "model.safetensors.index.json"}) {
                Path w = dir.resolve(weights);
                if (Files.isRegularFile(w)) {
                    FileTime t = Files.getLastModifiedTime(w);
                    return path + "@" + t.toInstant();
                }
            }
        } catch (IOException e) {
            // An unreadable provenance file only costs the resume check its timestamp.
        }
        return path;
    }

    public Path dir() {
        return dir;
    }

    public Qwen2VLModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public QwenImageProcessor processor() {
        return processor;
    }

    /** The checkpoint's name for run records: its absolute path and when it was made. */
    public String name() {
        return name;
    }

    @Override
    public void close() {
        try {
            model.close();
        } finally {
            tokenizer.close();
        }
    }
}

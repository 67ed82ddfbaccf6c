package org.pathoreason.eval;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Optional;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.io.CheckpointException;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything evaluation needs from a checkpoint folder: the model ({@code config.json} and weights), its tokenizer
 * ({@code tokenizer.json}) and its image preprocessing ({@code preprocessor_config.json}, transformers' defaults
 * when the file is absent), checked to belong together, and its chat template. Closing it frees the model and the
 * tokenizer.
 *
 * <p>The chat template is the one the folder declares ({@code chat_template} in {@code tokenizer_config.json}, else
 * {@code chat_template.jinja}) when {@link ChatTemplate} renders it exactly: Qwen2.5-VL's published template, or one
 * PathoReason wrote, with whatever default system prompt it carries (it matters for prompt styles without a system
 * prompt of their own). Any other template cannot be rendered here (there is no Jinja engine), so a warning says so
 * once, at load, and the built-in Qwen2.5-VL template is used instead; a folder that declares none gets the
 * built-in one too, as training renders with it.
 */
public final class LoadedCheckpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadedCheckpoint.class);

    private final Path dir;
    private final Qwen2VLModel model;
    private final Tokenizer tokenizer;
    private final QwenImageProcessor processor;
    private final ChatTemplate chatTemplate;
    private final String name;

    private LoadedCheckpoint(Path dir, Qwen2VLModel model, Tokenizer tokenizer, QwenImageProcessor processor,
            ChatTemplate chatTemplate, String name) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.processor = processor;
        this.chatTemplate = chatTemplate;
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
        ChatTemplate template = chatTemplate(dir);
        Tokenizer tokenizer = Tokenizer.load(tokenizerJson);
        Qwen2VLModel model = null;
        try {
            model = Qwen2VLModel.load(dir, manager);
            EvalRunner.checkTokenizerFitsModel(model, tokenizer);
            return new LoadedCheckpoint(dir, model, tokenizer, processor, template, name(dir));
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    /** The folder's chat template as {@link ChatTemplate} renders it (see the class comment). */
    static ChatTemplate chatTemplate(Path dir) {
        Optional<String> jinja;
        try {
            jinja = CheckpointDir.readChatTemplate(dir);
        } catch (CheckpointException e) {
            throw new ModelException("checkpoint " + dir + ": " + e.getMessage(), e);
        }
        if (jinja.isEmpty()) {
            return ChatTemplate.QWEN2_5_VL;
        }
        Optional<ChatTemplate> known = ChatTemplate.fromJinja(jinja.get());
        if (known.isPresent()) {
            return known.get();
        }
        LOG.warn("checkpoint {}: its chat_template is neither Qwen2.5-VL's published template nor one PathoReason "
                + "wrote, and PathoReason cannot render other templates; prompts use the built-in Qwen2.5-VL template "
                + "instead, which may not be the format this model was trained with", dir);
        return ChatTemplate.QWEN2_5_VL;
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

    /** The chat template to render prompts with (pass it to {@link EvalOptions#withChatTemplate}). */
    public ChatTemplate chatTemplate() {
        return chatTemplate;
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

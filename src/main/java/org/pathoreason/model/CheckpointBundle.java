package org.pathoreason.model;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.io.CheckpointDir;
import org.pathoreason.model.io.CheckpointExtras;
import org.pathoreason.text.TokenizerConfig;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.SpecialTokens;
import org.pathoreason.text.Tokenizer;
import org.pathoreason.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a checkpoint folder holds for using a vision-language model, loaded once and checked to belong
 * together: the model (by the {@link ModelRegistry} family of {@code config.json}'s {@code model_type}), the tokenizer
 * ({@code tokenizer.json}), the image processor ({@code preprocessor_config.json}, transformers' defaults when
 * absent), the chat template, the generation config ({@code generation_config.json}: end ids and default
 * sampling) and the stop ids. Training, evaluation, generation and the pipeline all open checkpoints here, so a
 * checkpoint is prompted the same way everywhere. Closing it frees the model and the tokenizer. An {@link Adapter}
 * given in {@link Options} (a LoRA adapter) is merged into the loaded weights before the bundle is returned.
 *
 * <p>The chat template is the one the folder declares ({@code chat_template} in {@code tokenizer_config.json}, else
 * {@code chat_template.jinja}) when {@link ChatTemplate} renders it exactly: Qwen2.5-VL's published template, or one
 * PathoReason wrote, with whatever default system prompt it carries. Any other template cannot be rendered here
 * (there is no Jinja engine), so a warning says so once, at load, and the built-in Qwen2.5-VL template is used
 * instead; a folder that declares none gets the built-in one too.
 */
public final class CheckpointBundle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointBundle.class);

    private final Path dir;
    private final VisionLanguageModel model;
    private final Tokenizer tokenizer;
    private final QwenImageProcessor processor;
    private final ChatTemplate chatTemplate;
    private final GenerationConfig generationConfig;
    private final String name;
    private final NDManager ownManager;
    private final Adapter adapter;

    /**
     * How to open a checkpoint.
     *
     * @param adapter weights merged into the base's in-memory weights once it is loaded (a LoRA adapter:
     *                {@code org.pathoreason.model.lora.LoraAdapter.read(dir)}); null for the base as it is
     * @param weights how the weights are held: {@link WeightPrecision#AUTO} (the default) keeps a 16-bit
     *                checkpoint's linear weights in 16 bits, memory-mapped, for inference; trainers ask for
     *                {@link WeightPrecision#FLOAT32}
     */
    public record Options(Adapter adapter, WeightPrecision weights) {
        /** The base checkpoint as it is, weights {@link WeightPrecision#AUTO}. */
        public static final Options DEFAULT = new Options(null, WeightPrecision.AUTO);

        public Options {
            Objects.requireNonNull(weights, "weights");
            if (adapter != null && weights == WeightPrecision.HALF) {
                throw new ModelException("an adapter is merged into float32 weights; 16-bit memory-mapped weights "
                        + "(WeightPrecision.HALF) are read-only: open with WeightPrecision.AUTO or FLOAT32");
            }
        }

        /** The base with {@code adapter} merged in (float32 weights: merging writes them). */
        public static Options adapter(Adapter adapter) {
            return new Options(Objects.requireNonNull(adapter, "adapter"), WeightPrecision.AUTO);
        }

        /** The base as it is, weights held as {@code weights} says. */
        public static Options weights(WeightPrecision weights) {
            return new Options(null, weights);
        }

        /** These options with the weights held as {@code precision} says. */
        public Options withWeights(WeightPrecision precision) {
            return new Options(adapter, precision);
        }

        /** What the model loader is asked for: AUTO with an adapter is FLOAT32 (the merge writes the weights). */
        WeightPrecision loadPrecision() {
            return adapter != null && weights == WeightPrecision.AUTO ? WeightPrecision.FLOAT32 : weights;
        }
    }

    private CheckpointBundle(Path dir, VisionLanguageModel model, Tokenizer tokenizer, QwenImageProcessor processor,
            ChatTemplate chatTemplate, GenerationConfig generationConfig, NDManager ownManager, Adapter adapter) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.processor = processor;
        this.chatTemplate = chatTemplate;
        this.generationConfig = generationConfig;
        this.name = name(dir) + (adapter == null || adapter.source() == null ? ""
                : "+adapter:" + adapter.source().toAbsolutePath().normalize());
        this.ownManager = ownManager;
        this.adapter = adapter;
    }

    /**
     * Opens a checkpoint folder, the model's parameters under {@code manager}.
     *
     * @throws ModelException naming the folder and the file when something is missing or does not fit
     */
    public static CheckpointBundle open(Path dir, NDManager manager) {
        return open(dir, manager, Options.DEFAULT);
    }

    /**
     * Opens a checkpoint folder, the model's parameters under {@code manager}, as {@code options} say (an adapter
     * merged into the loaded weights).
     *
     * @throws ModelException naming the folder and the file when something is missing or does not fit
     */
    public static CheckpointBundle open(Path dir, NDManager manager, Options options) {
        return open(dir, manager, null, options);
    }

    /**
     * Opens a checkpoint folder with a manager of its own (closed with the bundle). The engine must be started
     * ({@code Engines.start}).
     */
    public static CheckpointBundle open(Path dir) {
        return open(dir, Options.DEFAULT);
    }

    /** As {@link #open(Path)}, as {@code options} say. */
    public static CheckpointBundle open(Path dir, Options options) {
        NDManager own = org.pathoreason.engine.Engines.newManager();
        try {
            return open(dir, own, own, options);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    private static CheckpointBundle open(Path dir, NDManager manager, NDManager own, Options options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(options, "options");
        if (!Files.isDirectory(dir)) {
            throw new ModelException("checkpoint folder " + dir + " does not exist");
        }
        Tokenizer tokenizer = openTokenizer(dir);
        VisionLanguageModel model = null;
        try {
            QwenImageProcessor processor = new QwenImageProcessor(preprocessorConfig(dir));
            ChatTemplate template = chatTemplate(dir);
            GenerationConfig generation = generationConfig(dir, tokenizer);
            model = ModelRegistry.load(dir, VisionLanguageModel.class, manager, options.loadPrecision());
            if (options.adapter() != null) {
                options.adapter().mergeInto(model, dir);
            }
            checkFits(dir, model, tokenizer);
            return new CheckpointBundle(dir, model, tokenizer, processor, template, generation, own,
                    options.adapter());
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    /**
     * The tokenizer of a checkpoint folder, for work that needs no model (building training data before the
     * model is loaded).
     */
    public static Tokenizer openTokenizer(Path dir) {
        Path tokenizerJson = dir.resolve(CheckpointDir.TOKENIZER);
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelException("checkpoint " + dir + " has no " + CheckpointDir.TOKENIZER
                    + "; the model needs the tokenizer it was trained with");
        }
        return Tokenizer.load(tokenizerJson);
    }

    /**
     * The tokenizer must fit the model: no id past the embedding rows, and its image pad token where the model
     * puts vision features.
     *
     * @throws ModelException saying which does not fit
     */
    public static void checkFits(Path dir, VisionLanguageModel model, Tokenizer tokenizer) {
        if (tokenizer.vocabSize() > model.vocabSize()) {
            throw new ModelException("checkpoint " + dir + ": the tokenizer has " + tokenizer.vocabSize()
                    + " ids but the model's vocabulary has " + model.vocabSize() + " rows");
        }
        if (tokenizer.imagePadId() != model.imageTokenId()) {
            throw new ModelException("checkpoint " + dir + ": the tokenizer's " + SpecialTokens.IMAGE_PAD + " is id "
                    + tokenizer.imagePadId() + " but the model's image_token_id is " + model.imageTokenId());
        }
    }

    /** The folder's chat template as {@link ChatTemplate} renders it (see the class comment). */
    public static ChatTemplate chatTemplate(Path dir) {
        Optional<String> jinja = CheckpointDir.readChatTemplate(dir);
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

    /** The folder's image preprocessing, transformers' defaults when it has no {@code preprocessor_config.json}. */
    public static PreprocessorConfig preprocessorConfig(Path dir) {
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
     * The folder's {@code generation_config.json}; without one, greedy decoding that ends at the tokenizer's
     * {@code <|im_end|>} and {@code <|endoftext|>}, as the chat format does.
     */
    public static GenerationConfig generationConfig(Path dir, Tokenizer tokenizer) {
        Path file = dir.resolve(CheckpointDir.GENERATION_CONFIG);
        GenerationConfig g = Files.isRegularFile(file) ? GenerationConfig.read(file) : null;
        if (g != null && !g.eosTokenIds().isEmpty()) {
            return g;
        }
        Set<Long> eos = chatStopIds(tokenizer);
        return g == null ? GenerationConfig.greedy(tokenizer.padId(), eos)
                : new GenerationConfig(eos, g.padTokenId(), g.doSample(), g.temperature(), g.topP(), g.topK(),
                        g.maxNewTokens());
    }

    /** {@code <|im_end|>} and {@code <|endoftext|>}: the ids a chat turn ends with. */
    public static Set<Long> chatStopIds(Tokenizer tokenizer) {
        Set<Long> ids = new LinkedHashSet<>();
        ids.add(tokenizer.imEndId());
        ids.add(tokenizer.endOfTextId());
        return ids;
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
            // An unreadable provenance file only costs run records their timestamp.
        }
        return path;
    }

    public Path dir() {
        return dir;
    }

    /** The adapter merged into the model's weights, if one was given. */
    public Optional<Adapter> adapter() {
        return Optional.ofNullable(adapter);
    }

    public VisionLanguageModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public QwenImageProcessor processor() {
        return processor;
    }

    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    public GenerationConfig generationConfig() {
        return generationConfig;
    }

    /** The ids that end generation: the generation config's end ids. */
    public Set<Long> stopIds() {
        return generationConfig.eosTokenIds();
    }

    /**
     * The files a trainer writes beside the weights of each checkpoint it makes from this one: this folder's
     * {@code config.json}, tokenizer, tokenizer config and generation config, and the given image preprocessing
     * (a trainer may have changed its pixel bounds).
     */
    public CheckpointExtras extras(QwenImageProcessor imagesTrainedWith) {
        JsonNode config;
        try {
            config = Json.MAPPER.readTree(dir.resolve(CheckpointDir.CONFIG).toFile());
        } catch (IOException e) {
            throw new ModelException("checkpoint " + dir + ": cannot read " + CheckpointDir.CONFIG + ": "
                    + e.getMessage(), e);
        }
        return new CheckpointExtras(dir, config, tokenizer.json(),
                () -> TokenizerConfig.build(tokenizer, chatTemplate, TokenizerConfig.QWEN2_5_VL_MODEL_MAX_LENGTH),
                generationConfig::toJson, imagesTrainedWith.config().toJson());
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
            try {
                tokenizer.close();
            } finally {
                if (ownManager != null) {
                    ownManager.close();
                }
            }
        }
    }
}

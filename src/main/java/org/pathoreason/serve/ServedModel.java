package org.pathoreason.serve;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import org.pathoreason.data.PromptEncoder;
import org.pathoreason.generate.TokenDecoder;
import org.pathoreason.image.ImageCache;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.CheckpointBundle;
import org.pathoreason.model.lora.LoraAdapter;
import org.pathoreason.model.GenerationConfig;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.PromptStyle;
import org.pathoreason.text.Tokenizer;

/**
 * The checkpoint a server serves, opened through the {@link CheckpointBundle} (model, tokenizer, image processor,
 * chat template, generation config and stop ids), with the name clients call it by.
 */
public final class ServedModel implements AutoCloseable {

    private final CheckpointBundle checkpoint;
    private final String name;

    private ServedModel(CheckpointBundle checkpoint, String name) {
        this.checkpoint = checkpoint;
        this.name = name;
    }

    /**
     * Opens a checkpoint folder.
     *
     * @param name the model id clients use; null for the folder's name
     */
    public static ServedModel load(Path dir, String name, NDManager manager) {
        return load(dir, null, name, manager);
    }

    /**
     * Opens a checkpoint folder with a LoRA adapter merged into its weights.
     *
     * @param adapter the adapter folder (PEFT layout); null for the checkpoint as it is
     * @param name the model id clients use; null for the folder's name
     */
    public static ServedModel load(Path dir, Path adapter, String name, NDManager manager) {
        Objects.requireNonNull(dir, "dir");
        CheckpointBundle c = adapter == null ? CheckpointBundle.open(dir, manager)
                : CheckpointBundle.open(dir, manager, CheckpointBundle.Options.adapter(LoraAdapter.read(adapter)));
        Path file = dir.toAbsolutePath().normalize().getFileName();
        return new ServedModel(c, name != null ? name : file == null ? "pathoreason" : file.toString());
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return checkpoint.dir();
    }

    public VisionLanguageModel model() {
        return checkpoint.model();
    }

    public Tokenizer tokenizer() {
        return checkpoint.tokenizer();
    }

    public QwenImageProcessor processor() {
        return checkpoint.processor();
    }

    public ChatTemplate chatTemplate() {
        return checkpoint.chatTemplate();
    }

    public GenerationConfig generationConfig() {
        return checkpoint.generationConfig();
    }

    /** Tokens that end a completion (the generation config's end ids). */
    public Set<Long> stopTokenIds() {
        return checkpoint.stopIds();
    }

    /** The prompt encoder of this checkpoint for a style (the one way a question becomes model input). */
    PromptEncoder promptEncoder(PromptStyle style) {
        return new PromptEncoder(checkpoint.tokenizer(), new ImageCache(checkpoint.processor(), 0),
                checkpoint.chatTemplate(), style, null);
    }

    /** The most positions the model was built for. */
    public int maxPositions() {
        VisionLanguageModel m = checkpoint.model();
        return m instanceof Qwen2VLModel q ? q.config().text().maxPositionEmbeddings() : Integer.MAX_VALUE;
    }

    /** Completion text of generated ids, special tokens left out. */
    public TokenDecoder decoder() {
        Tokenizer t = checkpoint.tokenizer();
        return ids -> t.decode(ids, true);
    }

    /** Token ids of a rendered prompt. */
    public long[] encode(String text) {
        Tokenizer t = checkpoint.tokenizer();
        synchronized (t) {
            return t.encode(text);
        }
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}

package org.pathoreason.serve;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import org.pathoreason.eval.LoadedCheckpoint;
import org.pathoreason.generate.TokenDecoder;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.text.ChatTemplate;
import org.pathoreason.text.Tokenizer;

/**
 * The checkpoint a server serves: model, tokenizer, image processor, chat template and stop ids. This is the one
 * place the serve package loads a checkpoint (through {@link LoadedCheckpoint}, as evaluation does), so that the
 * checkpoint bundle replaces it here alone.
 */
public final class ServedModel implements AutoCloseable {

    private final LoadedCheckpoint checkpoint;
    private final String name;
    private final Set<Long> stopTokenIds;

    private ServedModel(LoadedCheckpoint checkpoint, String name) {
        this.checkpoint = checkpoint;
        this.name = name;
        Tokenizer t = checkpoint.tokenizer();
        // the chat format ends a turn with <|im_end|>; Qwen2.5-VL's generation config also lists <|endoftext|>
        this.stopTokenIds = Set.of(t.imEndId(), t.endOfTextId());
    }

    /**
     * Loads a checkpoint folder.
     *
     * @param name the model id clients use; null for the folder's name
     */
    public static ServedModel load(Path dir, String name, NDManager manager) {
        Objects.requireNonNull(dir, "dir");
        LoadedCheckpoint c = LoadedCheckpoint.load(dir, manager);
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

    /** Tokens that end a completion. */
    public Set<Long> stopTokenIds() {
        return stopTokenIds;
    }

    /** The most positions the model was built for. */
    public int maxPositions() {
        return checkpoint.model().config().text().maxPositionEmbeddings();
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

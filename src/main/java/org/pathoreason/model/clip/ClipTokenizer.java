package org.pathoreason.model.clip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.pathoreason.model.ModelException;
import org.pathoreason.text.SpecialTokens;
import org.pathoreason.text.Tokenizer;

/**
 * Turns texts into the fixed-length token rows a CLIP text tower reads, as OpenCLIP's tokenizers do: the start
 * token (when the tokenizer has one), the text's tokens, the end-of-text token; rows longer than the context are
 * cut and end with the end-of-text token; shorter rows are filled with the pad id.
 *
 * <p>Two kinds of {@code tokenizer.json}: CLIP's byte-level BPE as Hugging Face ships it ({@code <|startoftext|>},
 * {@code <|endoftext|>}, lower-casing in its normaliser), or PathoReason's own byte-level BPE trained on a small
 * world ({@link org.pathoreason.text.BpeTokenizerTrainer}; no start token, {@code <|endoftext|>} ends a text).
 */
public final class ClipTokenizer implements AutoCloseable {

    private static final List<String> START = List.of("<|startoftext|>", "<start_of_text>");
    private static final List<String> END = List.of("<|endoftext|>", "<end_of_text>", SpecialTokens.END_OF_TEXT);

    private final Tokenizer tokenizer;
    private final int contextLength;
    private final long startId;
    private final long endId;
    private final long padId;

    /**
     * @param tokenizer the text tokenizer (this object closes it)
     * @param contextLength the model's {@code context_length}
     * @param padId what fills a row after its end-of-text token (OpenCLIP: 0)
     */
    public ClipTokenizer(Tokenizer tokenizer, int contextLength, long padId) {
        if (contextLength < 2) {
            throw new ModelException("context length must be at least 2, got " + contextLength);
        }
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.startId = first(tokenizer, START);
        this.endId = first(tokenizer, END);
        if (endId < 0) {
            tokenizer.close();
            throw new ModelException(tokenizer.origin() + ": no end-of-text token (" + END + ") for CLIP's text "
                    + "tower");
        }
        this.padId = padId;
    }

    /** The {@code tokenizer.json} of a model folder, sized by the model's config. */
    public static ClipTokenizer load(Path dir, ClipConfig config) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelException(dir + ": no tokenizer.json (CLIP's BPE as Hugging Face ships it, or the "
                    + "project's own); copy one beside the model");
        }
        ClipTokenizer t = new ClipTokenizer(Tokenizer.load(file), config.text().contextLength(),
                config.text().padId());
        t.checkFits(config, file);
        return t;
    }

    /** Fails when the model could not read this tokenizer's ids or would pool at the wrong place. */
    public void checkFits(ClipConfig config, Path source) {
        ClipConfig.TextConfig t = config.text();
        if (tokenizer.vocabSize() > t.vocabSize()) {
            throw new ModelException(source + ": the tokenizer has " + tokenizer.vocabSize() + " ids but the text "
                    + "tower's vocabulary has " + t.vocabSize());
        }
        if (t.pool() == ClipConfig.TextPool.ARGMAX && endId != tokenizer.vocabSize() - 1) {
            throw new ModelException(source + ": the text tower pools at the highest id (pool_type argmax) but the "
                    + "end-of-text token is id " + endId + " of " + tokenizer.vocabSize()
                    + "; use pool_type eos with eos_id " + endId);
        }
        if (t.pool() == ClipConfig.TextPool.EOS && endId != t.eosId()) {
            throw new ModelException(source + ": the text tower pools at eos_id " + t.eosId()
                    + " but the tokenizer's end-of-text token is id " + endId);
        }
    }

    private static long first(Tokenizer tokenizer, List<String> names) {
        for (String n : names) {
            if (tokenizer.hasToken(n)) {
                return tokenizer.tokenId(n);
            }
        }
        return -1;
    }

    /** One row of {@code contextLength} ids per text. */
    public long[][] encode(List<String> texts) {
        long[][] pieces = tokenizer.encodeBatch(texts);
        long[][] out = new long[texts.size()][contextLength];
        for (int i = 0; i < pieces.length; i++) {
            long[] row = out[i];
            int k = 0;
            if (startId >= 0) {
                row[k++] = startId;
            }
            for (long id : pieces[i]) {
                if (k == contextLength) {
                    break;
                }
                row[k++] = id;
            }
            if (k < contextLength) {
                row[k++] = endId;
            } else {
                row[contextLength - 1] = endId; // cut: the last place holds the end of text
            }
            for (int j = k; j < contextLength; j++) {
                row[j] = padId;
            }
        }
        return out;
    }

    public int contextLength() {
        return contextLength;
    }

    public long endId() {
        return endId;
    }

    /** The start token's id, or -1 when this tokenizer has none. */
    public long startId() {
        return startId;
    }

    public int vocabSize() {
        return tokenizer.vocabSize();
    }

    /** The underlying tokenizer (its {@code tokenizer.json} goes into saved models). */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

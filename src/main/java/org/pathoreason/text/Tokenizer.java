package org.pathoreason.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * A Hugging Face {@code tokenizer.json} loaded through DJL's native tokenizers library.
 *
 * <p>Encoding never adds BOS/EOS or other template tokens by itself (Qwen's tokenizer adds none either); special
 * and added tokens written in the text ({@code <|im_start|>}, {@code <|image_pad|>}, {@code <think>}) come out as
 * one id each. No truncation and no padding are applied: sequences are as long as the text needs.
 *
 * <p>Token ids and vocabulary come from the JSON file itself (DJL does not expose them). Thread-safe for
 * encoding and decoding; close it to free the native handle.
 */
public final class Tokenizer implements AutoCloseable {

    private final String origin;
    private final String json;
    private final HuggingFaceTokenizer hf;
    private final Map<String, Long> vocab;
    private final Map<String, Long> addedTokens;
    private final Set<Long> specialIds;
    private final Map<Long, String> idToToken;
    private final int vocabSize;

    private Tokenizer(String origin, String json, HuggingFaceTokenizer nativeTokenizer, Map<String, Long> vocab,
            Map<String, Long> addedTokens, Set<Long> specialIds, int vocabSize) {
        this.origin = origin;
        this.json = json;
        this.hf = nativeTokenizer;
        this.vocab = vocab;
        this.addedTokens = addedTokens;
        this.specialIds = specialIds;
        this.vocabSize = vocabSize;
        Map<Long, String> reverse = new HashMap<>(vocab.size() * 2);
        vocab.forEach((token, id) -> reverse.put(id, token));
        addedTokens.forEach((token, id) -> reverse.put(id, token));
        this.idToToken = reverse;
    }

    /**
     * Loads a {@code tokenizer.json}; a directory is taken to hold one (a checkpoint directory).
     *
     * @throws TokenizerException when the file is missing, is not JSON, or the tokenizers library rejects it
     */
    public static Tokenizer load(Path tokenizerJson) {
        Path file = Files.isDirectory(tokenizerJson) ? tokenizerJson.resolve("tokenizer.json") : tokenizerJson;
        if (!Files.isRegularFile(file)) {
            throw new TokenizerException(file + ": tokenizer file not found");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read tokenizer: " + e.getMessage(), e);
        }
        return fromJson(text, file.toString());
    }

    /**
     * Builds a tokenizer from the text of a {@code tokenizer.json}.
     *
     * @param origin where the text came from, used in error messages
     */
    public static Tokenizer fromJson(String json, String origin) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerException(origin + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("model").isObject()) {
            throw new TokenizerException(origin + ": not a tokenizer.json (expected an object with a \"model\")");
        }
        Map<String, Long> vocab = readVocab(root.path("model"), origin);
        Map<String, Long> added = new HashMap<>();
        Set<Long> specials = new HashSet<>();
        long maxId = -1;
        for (long id : vocab.values()) {
            maxId = Math.max(maxId, id);
        }
        JsonNode addedNode = root.path("added_tokens");
        for (int i = 0; i < addedNode.size(); i++) {
            JsonNode t = addedNode.get(i);
            if (!isTokenId(t.path("id")) || !t.path("content").isTextual()) {
                throw new TokenizerException(origin + ": added_tokens[" + i + "] needs an integer \"id\" (0 to "
                        + MAX_TOKEN_ID + ") and a string \"content\"");
            }
            long id = t.get("id").asLong();
            added.put(t.get("content").asText(), id);
            if (t.path("special").asBoolean(false)) {
                specials.add(id);
            }
            maxId = Math.max(maxId, id);
        }
        HuggingFaceTokenizer nativeTokenizer;
        try {
            Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false",
                    "padding", "false");
            guardOffline();
            nativeTokenizer = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), options);
        } catch (IOException | RuntimeException e) {
            throw new TokenizerException(origin + ": the tokenizers library rejected it: " + e.getMessage(), e);
        }
        return new Tokenizer(origin, json, nativeTokenizer, Collections.unmodifiableMap(vocab),
                Collections.unmodifiableMap(added), Collections.unmodifiableSet(specials),
                Math.toIntExact(maxId + 1));
    }

    /** The largest token id: vocabulary sizes (largest id + 1) are Java ints. */
    static final long MAX_TOKEN_ID = Integer.MAX_VALUE - 1;

    private static boolean isTokenId(JsonNode id) {
        return id.isIntegralNumber() && id.canConvertToLong() && id.asLong() >= 0 && id.asLong() <= MAX_TOKEN_ID;
    }

    private static Map<String, Long> readVocab(JsonNode model, String origin) {
        JsonNode v = model.path("vocab");
        Map<String, Long> vocab = new HashMap<>();
        if (v.isObject()) {
            // BPE, WordPiece, WordLevel: {"token": id}
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!isTokenId(e.getValue())) {
                    throw new TokenizerException(origin + ": model.vocab entry '" + e.getKey() + "' has id "
                            + e.getValue() + "; ids are integers from 0 to " + MAX_TOKEN_ID);
                }
                vocab.put(e.getKey(), e.getValue().asLong());
            }
        } else if (v.isArray()) {
            // Unigram: [["piece", score], ...], id = position
            for (int i = 0; i < v.size(); i++) {
                vocab.put(v.get(i).path(0).asText(), (long) i);
            }
        } else {
            throw new TokenizerException(origin + ": model.vocab missing (expected an object or an array)");
        }
        return vocab;
    }

    /** DJL reads these before loading the native library; a user who set them otherwise keeps their choice. */
    private static void guardOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    /** Token ids of {@code text}; nothing is added, specials written in the text are single ids. */
    public long[] encode(String text) {
        return hf.encode(text, false, false).getIds();
    }

    /** Encodes many texts at once (in parallel natively); no padding, each row as long as its text needs. */
    public long[][] encodeBatch(List<String> texts) {
        Encoding[] encodings = hf.batchEncode(texts, false, false);
        long[][] ids = new long[encodings.length][];
        for (int i = 0; i < encodings.length; i++) {
            ids[i] = encodings[i].getIds();
        }
        return ids;
    }

    /** The token strings of {@code text} as the model sees them (byte-level form, e.g. {@code Ġthe}). */
    public List<String> tokenize(String text) {
        return List.of(hf.encode(text, false, false).getTokens());
    }

    /**
     * Encodes a prompt and its completion separately and joins them, so the prompt's length in tokens is known
     * exactly (for masking the loss to the completion). Equal to encoding {@code prompt + completion} at once
     * whenever the prompt ends on a token boundary, as chat-template prompts do (they end with a newline after
     * {@code <|im_start|>assistant}).
     */
    public PromptCompletion encodePromptCompletion(String prompt, String completion) {
        long[][] parts = encodeBatch(List.of(prompt, completion));
        long[] ids = new long[parts[0].length + parts[1].length];
        System.arraycopy(parts[0], 0, ids, 0, parts[0].length);
        System.arraycopy(parts[1], 0, ids, parts[0].length, parts[1].length);
        return new PromptCompletion(ids, parts[0].length);
    }

    /** Token ids of a prompt followed by its completion; {@code promptLength} ids belong to the prompt. */
    public record PromptCompletion(long[] ids, int promptLength) {
        public int completionLength() {
            return ids.length - promptLength;
        }
    }

    /**
     * Text of {@code ids}; special tokens are dropped when asked, reasoning tags are kept (not special). As in
     * Hugging Face, ids outside the vocabulary are skipped and bytes that do not form whole UTF-8 characters
     * (a sequence cut inside an emoji) decode to U+FFFD.
     */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return hf.decode(ids, skipSpecialTokens);
    }

    /** Decodes many sequences at once. */
    public List<String> decodeBatch(long[][] ids, boolean skipSpecialTokens) {
        return List.of(hf.batchDecode(ids, skipSpecialTokens));
    }

    /** Number of ids, added tokens included (highest id + 1). Embedding tables need at least this many rows. */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * Id of a token: an added token by its content, or a vocabulary entry in the model's own form (byte-level
     * BPE writes a leading space as {@code Ġ}).
     *
     * @throws TokenizerException when the tokenizer has no such token
     */
    public long tokenId(String token) {
        Long id = addedTokens.get(token);
        if (id == null) {
            id = vocab.get(token);
        }
        if (id == null) {
            throw new TokenizerException(origin + ": no token " + token + " in this tokenizer");
        }
        return id;
    }

    /** The token string of an id (byte-level form for vocabulary entries), or null when no token has it. */
    public String token(long id) {
        return idToToken.get(id);
    }

    /** True when {@link #tokenId} would find {@code token}. */
    public boolean hasToken(String token) {
        return addedTokens.containsKey(token) || vocab.containsKey(token);
    }

    /** True when {@code id} is a special token (skipped by {@code decode(ids, true)}). */
    public boolean isSpecial(long id) {
        return specialIds.contains(id);
    }

    /** Ids of all special tokens. */
    public Set<Long> specialIds() {
        return specialIds;
    }

    /** Added tokens (special or not) by content. */
    public Map<String, Long> addedTokens() {
        return addedTokens;
    }

    /** Padding id: Qwen2.5-VL pads with {@code <|endoftext|>}. */
    public long padId() {
        return endOfTextId();
    }

    public long endOfTextId() {
        return tokenId(SpecialTokens.END_OF_TEXT);
    }

    public long imStartId() {
        return tokenId(SpecialTokens.IM_START);
    }

    /** End of a chat turn; the assistant's end-of-sequence token in Qwen2.5-VL's chat format. */
    public long imEndId() {
        return tokenId(SpecialTokens.IM_END);
    }

    public long imagePadId() {
        return tokenId(SpecialTokens.IMAGE_PAD);
    }

    public long videoPadId() {
        return tokenId(SpecialTokens.VIDEO_PAD);
    }

    public long visionStartId() {
        return tokenId(SpecialTokens.VISION_START);
    }

    public long visionEndId() {
        return tokenId(SpecialTokens.VISION_END);
    }

    /** Where this tokenizer was loaded from. */
    public String origin() {
        return origin;
    }

    /** The {@code tokenizer.json} text this tokenizer was built from. */
    public String json() {
        return json;
    }

    /** Writes the {@code tokenizer.json} this tokenizer was built from, atomically. */
    public void save(Path file) {
        try {
            AtomicFiles.writeString(file, json);
        } catch (UncheckedIOException e) {
            throw new TokenizerException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        hf.close();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + origin + ", " + vocabSize + " ids]";
    }
}

package org.pathoreason.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * A trained byte-level BPE tokenizer: vocabulary (byte-level strings, in id order), merges in rank order, and
 * the added tokens that follow the vocabulary. Writes Hugging Face's {@code tokenizer.json} in the shape of
 * Qwen2's: NFC normaliser, Split(Qwen2 regex) then ByteLevel(use_regex=false) pre-tokenizer, ByteLevel decoder,
 * BPE model with {@code "a b"} merges.
 */
public final class BpeModel {

    private final List<String> vocab;
    private final List<String[]> merges;
    private final List<String> specialTokens;
    private final List<String> addedTokens;

    BpeModel(List<String> vocab, List<String[]> merges, List<String> specialTokens, List<String> addedTokens) {
        this.vocab = List.copyOf(vocab);
        List<String[]> m = new ArrayList<>(merges.size());
        for (String[] pair : merges) {
            m.add(pair.clone());
        }
        this.merges = m;
        this.specialTokens = List.copyOf(specialTokens);
        this.addedTokens = List.copyOf(addedTokens);
    }

    /** Byte-level vocabulary in id order (added tokens not included). */
    public List<String> vocab() {
        return vocab;
    }

    /** Number of merges learned. */
    public int mergeCount() {
        return merges.size();
    }

    /** The i-th merge as its two byte-level parts. */
    public String[] merge(int rank) {
        return merges.get(rank).clone();
    }

    /** All ids: byte-level vocabulary plus added tokens. */
    public int vocabSize() {
        return vocab.size() + specialTokens.size() + addedTokens.size();
    }

    /** Id of an added token (special or not), or -1. */
    public int addedTokenId(String content) {
        int i = specialTokens.indexOf(content);
        if (i >= 0) {
            return vocab.size() + i;
        }
        i = addedTokens.indexOf(content);
        return i >= 0 ? vocab.size() + specialTokens.size() + i : -1;
    }

    /** The {@code tokenizer.json} document. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String t : specialTokens) {
            added.add(addedToken(f, addedTokenId(t), t, true));
        }
        for (String t : addedTokens) {
            added.add(addedToken(f, addedTokenId(t), t, false));
        }
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", ByteLevel.QWEN2_PATTERN);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        steps.add(byteLevel(f));
        root.set("post_processor", byteLevel(f));
        root.set("decoder", byteLevel(f));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) {
            v.put(vocab.get(i), i);
        }
        ArrayNode m = model.putArray("merges");
        for (String[] pair : merges) {
            // Byte-level tokens never hold a space (it is written Ġ), so "a b" is unambiguous.
            m.add(pair[0] + " " + pair[1]);
        }
        return root;
    }

    private static ObjectNode addedToken(JsonNodeFactory f, int id, String content, boolean special) {
        ObjectNode t = f.objectNode();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", special);
        return t;
    }

    private static ObjectNode byteLevel(JsonNodeFactory f) {
        ObjectNode b = f.objectNode();
        b.put("type", "ByteLevel");
        b.put("add_prefix_space", false);
        b.put("trim_offsets", false);
        b.put("use_regex", false);
        return b;
    }

    /** The {@code tokenizer.json} text. */
    public String toJsonString() {
        try {
            return Json.PRETTY.writeValueAsString(toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise tokenizer.json", e);
        }
    }

    /** Writes {@code tokenizer.json} atomically. */
    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, toJsonString());
        } catch (UncheckedIOException e) {
            throw new TokenizerException(e.getMessage(), e);
        }
    }

    /** Loads this model in the tokenizers library (close the result). */
    public Tokenizer toTokenizer() {
        return Tokenizer.fromJson(toJsonString(), "trained BPE tokenizer");
    }
}

package org.pathoreason.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * Builds the {@code tokenizer_config.json} a Hugging Face checkpoint carries beside {@code tokenizer.json}, in
 * the shape of Qwen2.5-VL's: the chat template (as Jinja), {@code eos_token} {@code <|im_end|>},
 * {@code pad_token} {@code <|endoftext|>}, no BOS, {@code added_tokens_decoder} and the tokenizer class.
 */
public final class TokenizerConfig {

    /** Qwen2.5-VL's context length, the default {@code model_max_length}. */
    public static final int QWEN2_5_VL_MODEL_MAX_LENGTH = 131_072;

    private TokenizerConfig() {
    }

    /**
     * The config for {@code tokenizer} with {@code template}'s Jinja chat template.
     *
     * @throws TokenizerException when the tokenizer lacks {@code <|im_end|>} or {@code <|endoftext|>}
     */
    public static ObjectNode build(Tokenizer tokenizer, ChatTemplate template, int modelMaxLength) {
        tokenizer.imEndId();
        tokenizer.endOfTextId();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("add_bos_token", false);
        root.put("add_prefix_space", false);
        ObjectNode decoder = root.putObject("added_tokens_decoder");
        List<Map.Entry<String, Long>> added = new ArrayList<>(tokenizer.addedTokens().entrySet());
        added.sort(Map.Entry.comparingByValue());
        ArrayNode additional = Json.MAPPER.createArrayNode();
        for (Map.Entry<String, Long> e : added) {
            boolean special = tokenizer.isSpecial(e.getValue());
            ObjectNode t = decoder.putObject(Long.toString(e.getValue()));
            t.put("content", e.getKey());
            t.put("lstrip", false);
            t.put("normalized", false);
            t.put("rstrip", false);
            t.put("single_word", false);
            t.put("special", special);
            if (special && !SpecialTokens.END_OF_TEXT.equals(e.getKey())) {
                additional.add(e.getKey());
            }
        }
        root.set("additional_special_tokens", additional);
        root.putNull("bos_token");
        root.put("chat_template", template.jinja());
        root.put("clean_up_tokenization_spaces", false);
        root.put("eos_token", SpecialTokens.IM_END);
        root.put("errors", "replace");
        root.put("model_max_length", modelMaxLength);
        root.put("pad_token", SpecialTokens.END_OF_TEXT);
        root.put("split_special_tokens", false);
        root.put("tokenizer_class", "Qwen2Tokenizer");
        root.putNull("unk_token");
        return root;
    }

    /** The config with Qwen2.5-VL's chat template and context length. */
    public static ObjectNode build(Tokenizer tokenizer) {
        return build(tokenizer, ChatTemplate.QWEN2_5_VL, QWEN2_5_VL_MODEL_MAX_LENGTH);
    }

    /** Writes {@code tokenizer_config.json} atomically. */
    public static void write(Path file, ObjectNode config) {
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(config));
        } catch (JsonProcessingException | UncheckedIOException e) {
            throw new TokenizerException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}

package org.pathoreason.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.util.Json;

class TokenizerConfigTest {

    @TempDir
    Path dir;

    @Test
    void qwenStyleConfigWithChatTemplate() throws Exception {
        BpeModel model = new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults().withVocabSize(400))
                .train(Corpus.lines(300, 2));
        try (Tokenizer tok = model.toTokenizer()) {
            ObjectNode config = TokenizerConfig.build(tok);
            Path file = dir.resolve("tokenizer_config.json");
            TokenizerConfig.write(file, config);
            JsonNode back = Json.MAPPER.readTree(Files.readString(file));
            assertThat(back.get("eos_token").asText()).isEqualTo("<|im_end|>");
            assertThat(back.get("pad_token").asText()).isEqualTo("<|endoftext|>");
            assertThat(back.get("bos_token").isNull()).isTrue();
            assertThat(back.get("model_max_length").asInt()).isEqualTo(131072);
            assertThat(back.get("tokenizer_class").asText()).isEqualTo("Qwen2Tokenizer");
            assertThat(back.get("chat_template").asText()).isEqualTo(ChatTemplate.QWEN2_5_VL.jinja());
            JsonNode decoder = back.get("added_tokens_decoder");
            assertThat(decoder.size()).isEqualTo(14);
            String imagePad = Long.toString(tok.imagePadId());
            assertThat(decoder.get(imagePad).get("content").asText()).isEqualTo("<|image_pad|>");
            assertThat(decoder.get(imagePad).get("special").asBoolean()).isTrue();
            assertThat(decoder.get(Long.toString(tok.tokenId("<think>"))).get("special").asBoolean()).isFalse();
            List<String> additional = Json.MAPPER.convertValue(back.get("additional_special_tokens"),
                    Json.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
            assertThat(additional).containsExactly("<|im_start|>", "<|im_end|>", "<|vision_start|>",
                    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>");
        }
    }
}

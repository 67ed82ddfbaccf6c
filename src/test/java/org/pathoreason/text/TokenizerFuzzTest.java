package org.pathoreason.text;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.pathoreason.util.PathoReasonException;

/**
 * Any text as a {@code tokenizer.json} (through DJL's native tokenizers library) and as a chat template from
 * {@code tokenizer_config.json}: loading, a round trip through encode and decode, and template recognition either
 * work or fail with the project's own exception. Seeds:
 * {@code src/test/resources/org/pathoreason/text/TokenizerFuzzTestInputs/}.
 */
@Tag("fuzz")
class TokenizerFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyTextAsTokenizerFiles(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        try (Tokenizer t = Tokenizer.fromJson(text, "fuzz/tokenizer.json")) {
            long[] ids = t.encode("<|im_start|>user\nIs there invasion?<|im_end|>");
            t.decode(ids, false);
            t.vocabSize();
            for (long id : ids) {
                t.token(id);
            }
        } catch (PathoReasonException expected) {
            // a clear error naming the file: what the property allows
        }
        ChatTemplate.fromJinja(text);
    }
}

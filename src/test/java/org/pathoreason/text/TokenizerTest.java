package org.pathoreason.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tokenizer trained by the project, loaded through DJL's Hugging Face tokenizers (native Rust library). */
class TokenizerTest {

    @TempDir
    static Path dir;

    static BpeModel model;
    static Path file;
    static Tokenizer tok;

    @BeforeAll
    static void train() {
        model = new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults().withVocabSize(1200))
                .train(Corpus.lines(4000, 9));
        file = dir.resolve("ckpt/tokenizer.json");
        model.write(file);
        tok = Tokenizer.load(file);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    private static final List<String> SAMPLES = List.of(
            "The tissue shows plasma cells with eccentric nuclei.",
            "",
            " ",
            "   leading and trailing spaces   ",
            "tabs\tand\nnewlines\r\nand\n\n\nblank lines\n",
            "naïve café Größe épithélium — μm → ½",
            "腺癌组织 and 組織, 日本語のテキスト",
            "emoji 🙂🔬🧫 and flags 🇬🇧 and ZWJ 👩‍⚕️",
            "numbers 1,234.5 x200 Ki-67 40% HER2 3+",
            "control \u0000\u0001\u007f chars and \u00ad soft hyphen",
            "don't it's they're I'M WE'LL",
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                    + "<|vision_start|><|image_pad|><|image_pad|><|vision_end|>What?<|im_end|>\n"
                    + "<|im_start|>assistant\n<observe>glands</observe><think>so</think><answer>B</answer><|im_end|>",
            "<think>no space</think>  <answer> spaced </answer>",
            "partial specials <|im_start <think <|image_pad|>|> <<|im_end|>>");

    @Test
    void roundTripsTextExactly() {
        for (String s : SAMPLES) {
            assertThat(tok.decode(tok.encode(s), false)).as("round trip of %s", s).isEqualTo(s);
        }
    }

    @Test
    void roundTripsRandomUnicode() {
        Random r = new Random(5);
        for (int n = 0; n < 300; n++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(40);
            for (int i = 0; i < len; i++) {
                int cp;
                switch (r.nextInt(5)) {
                    case 0 -> cp = r.nextInt(0x80);
                    case 1 -> cp = 0x80 + r.nextInt(0x780);
                    case 2 -> cp = 0x4E00 + r.nextInt(0x5000);
                    case 3 -> cp = 0x1F300 + r.nextInt(0x300);
                    default -> cp = " \n\t<>|/".charAt(r.nextInt(7));
                }
                if (Character.isSurrogate((char) cp) && cp < 0x10000) {
                    continue;
                }
                sb.appendCodePoint(cp);
            }
            // The normaliser is NFC, as Qwen2's: text already in NFC comes back unchanged.
            String s = Normalizer.normalize(sb.toString(), Normalizer.Form.NFC);
            assertThat(tok.decode(tok.encode(s), false)).isEqualTo(s);
        }
    }

    @Test
    void nonNfcTextComesBackComposed() {
        String decomposed = "cafe\u0301";
        assertThat(tok.decode(tok.encode(decomposed), false)).isEqualTo("caf\u00e9");
    }

    @Test
    void specialsAndTagsAreSingleTokens() {
        for (String special : SpecialTokens.QWEN_SPECIALS) {
            assertThat(tok.encode(special)).containsExactly(tok.tokenId(special));
            assertThat(tok.isSpecial(tok.tokenId(special))).isTrue();
        }
        for (String tag : SpecialTokens.REASONING_TAGS) {
            assertThat(tok.encode(tag)).containsExactly(tok.tokenId(tag));
            assertThat(tok.isSpecial(tok.tokenId(tag))).isFalse();
        }
        long[] ids = tok.encode("x<|image_pad|><|image_pad|><|image_pad|>y");
        assertThat(ids).hasSize(5);
        assertThat(ids[1]).isEqualTo(tok.imagePadId());
        assertThat(ids[3]).isEqualTo(tok.imagePadId());
    }

    @Test
    void skippingSpecialsKeepsReasoningTags() {
        String text = "<|im_start|>assistant\n<think>glands</think><answer>B</answer><|im_end|><|endoftext|>";
        assertThat(tok.decode(tok.encode(text), true)).isEqualTo("assistant\n<think>glands</think><answer>B</answer>");
        assertThat(tok.decode(tok.encode(text), false)).isEqualTo(text);
    }

    @Test
    void decodesLikeHuggingFaceAtTheEdges() {
        long[] emoji = tok.encode("🦠");
        assertThat(emoji.length).isBetween(2, 4); // not in the corpus: only its shared leading bytes are merged
        assertThat(tok.decode(java.util.Arrays.copyOf(emoji, 1), false)).isEqualTo("\uFFFD");
        long[] withUnknown = {tok.tokenId("Ġtissue"), tok.vocabSize() + 10L, tok.tokenId("Ġshows")};
        assertThat(tok.decode(withUnknown, false)).isEqualTo(" tissue shows");
    }

    @Test
    void addsNothingAndNeverTruncates() {
        assertThat(tok.encode("a")).hasSize(1);
        assertThat(tok.encode("")).isEmpty();
        // DJL truncates to 512 tokens by default; ours must not.
        String longText = "tissue ".repeat(3000) + "<|im_end|>";
        long[] ids = tok.encode(longText);
        assertThat(ids.length).isGreaterThan(3000);
        assertThat(ids[ids.length - 1]).isEqualTo(tok.imEndId());
    }

    @Test
    void idsFollowQwensLayout() {
        int base = model.vocab().size();
        assertThat(tok.endOfTextId()).isEqualTo(base);
        assertThat(tok.imStartId()).isEqualTo(base + 1);
        assertThat(tok.imEndId()).isEqualTo(base + 2);
        assertThat(tok.visionStartId()).isEqualTo(base + 3);
        assertThat(tok.visionEndId()).isEqualTo(base + 4);
        assertThat(tok.tokenId(SpecialTokens.VISION_PAD)).isEqualTo(base + 5);
        assertThat(tok.imagePadId()).isEqualTo(base + 6);
        assertThat(tok.videoPadId()).isEqualTo(base + 7);
        assertThat(tok.tokenId("<think>")).isEqualTo(base + 8);
        assertThat(tok.padId()).isEqualTo(tok.endOfTextId());
        assertThat(tok.vocabSize()).isEqualTo(1200).isEqualTo(model.vocabSize());
        assertThat(tok.specialIds()).hasSize(8);
        assertThat(tok.addedTokens()).hasSize(14);
    }

    @Test
    void vocabularyEntriesAreFoundInByteLevelForm() {
        assertThat(tok.tokenId("!")).isZero();
        assertThat(tok.hasToken("Ġtissue")).isTrue();
        assertThat(tok.encode(" tissue")).containsExactly(tok.tokenId("Ġtissue"));
        assertThat(tok.tokenize(" tissue shows")).containsExactly("Ġtissue", "Ġshows");
        assertThatThrownBy(() -> tok.tokenId("<|nope|>")).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("<|nope|>").hasMessageContaining("tokenizer.json");
        assertThat(tok.hasToken("<|nope|>")).isFalse();
        assertThat(tok.token(tok.tokenId("Ġtissue"))).isEqualTo("Ġtissue");
        assertThat(tok.token(tok.imEndId())).isEqualTo("<|im_end|>");
        assertThat(tok.token(tok.vocabSize())).isNull();
    }

    @Test
    void compressesTheDomainText() {
        String text = String.join("", Corpus.lines(200, 99));
        double tokensPerByte = tok.encode(text).length / (double) text.getBytes().length;
        assertThat(tokensPerByte).isLessThan(0.35);
    }

    @Test
    void preTokenBoundariesMatchTheJavaRegex() {
        // Every boundary of Qwen2's regex as Java reads it must be a token boundary in the native tokenizer:
        // otherwise the trainer would learn merges across pieces that the tokenizer never sees together.
        String text = "Hello world's 123 abc\n\n  x  \t y!!! ...\r\n  don't ÄÖÜ 腺癌 😀😀 a1b2 '  tail  ";
        List<Integer> javaBounds = new ArrayList<>();
        Matcher m = ByteLevel.QWEN2_REGEX.matcher(text);
        while (m.find()) {
            javaBounds.add(ByteLevel.encode(text.substring(0, m.end())).length());
        }
        List<Integer> tokenBounds = new ArrayList<>();
        int at = 0;
        for (String t : tok.tokenize(text)) {
            at += t.length();
            tokenBounds.add(at);
        }
        assertThat(tokenBounds).containsAll(javaBounds);
        assertThat(at).isEqualTo(ByteLevel.encode(text).length());
    }

    @Test
    void batchEncodingMatchesSingleEncoding() {
        List<String> texts = SAMPLES;
        long[][] batch = tok.encodeBatch(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(batch[i]).containsExactly(tok.encode(texts.get(i)));
        }
        assertThat(tok.decodeBatch(batch, false)).containsExactlyElementsOf(texts);
    }

    @Test
    void promptAndCompletionEncodeLikeTheWhole() {
        ChatTemplate.TrainingText t = ChatTemplate.QWEN2_5_VL.renderForTraining(
                List.of(ChatMessage.user(List.of("a.png"), "What is seen?")), List.of(4),
                "The tissue shows glands.\n<think>x</think><answer>B</answer>");
        Tokenizer.PromptCompletion pc = tok.encodePromptCompletion(t.prompt(), t.completion());
        assertThat(pc.ids()).containsExactly(tok.encode(t.full()));
        assertThat(pc.promptLength()).isEqualTo(tok.encode(t.prompt()).length);
        assertThat(pc.completionLength()).isEqualTo(tok.encode(t.completion()).length);
        long pads = java.util.Arrays.stream(pc.ids()).filter(id -> id == tok.imagePadId()).count();
        assertThat(pads).isEqualTo(4);
    }

    @Test
    void loadsFromACheckpointDirectoryAndSavesAtomically() throws Exception {
        try (Tokenizer fromDir = Tokenizer.load(file.getParent())) {
            assertThat(fromDir.encode("plasma cells")).containsExactly(tok.encode("plasma cells"));
            Path copy = dir.resolve("copy/tokenizer.json");
            fromDir.save(copy);
            assertThat(Files.readString(copy)).isEqualTo(Files.readString(file));
        }
    }

    @Test
    void loadsOtherModelTypes() throws Exception {
        String wordLevel = "{\"version\":\"1.0\",\"added_tokens\":[{\"id\":3,\"content\":\"<|im_end|>\","
                + "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                + "\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
                + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[UNK]\":0,\"plasma\":1,\"cells\":2},"
                + "\"unk_token\":\"[UNK]\"}}";
        try (Tokenizer t = Tokenizer.fromJson(wordLevel, "word-level")) {
            assertThat(t.encode("plasma cells<|im_end|> zebra")).containsExactly(1, 2, 3, 0);
            assertThat(t.vocabSize()).isEqualTo(4);
            assertThat(t.imEndId()).isEqualTo(3);
            assertThatThrownBy(t::imagePadId).hasMessageContaining("word-level").hasMessageContaining("<|image_pad|>");
        }
        String unigram = "{\"version\":\"1.0\",\"added_tokens\":[],\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
                + "\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[[\"<unk>\",0.0],[\"cell\",-1.0],"
                + "[\"s\",-2.0],[\"c\",-3.0],[\"e\",-3.0],[\"l\",-3.0]],\"byte_fallback\":false}}";
        try (Tokenizer t = Tokenizer.fromJson(unigram, "unigram")) {
            assertThat(t.encode("cells")).containsExactly(1, 2);
            assertThat(t.tokenId("cell")).isEqualTo(1);
            assertThat(t.vocabSize()).isEqualTo(6);
        }
    }

    @Test
    void clearErrorsForBadFiles() throws Exception {
        assertThatThrownBy(() -> Tokenizer.load(dir.resolve("none.json"))).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("none.json").hasMessageContaining("not found");
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"model\": ");
        assertThatThrownBy(() -> Tokenizer.load(bad)).hasMessageContaining("bad.json")
                .hasMessageContaining("not valid JSON");
        Path notTok = Files.writeString(dir.resolve("other.json"), "{\"a\": 1}");
        assertThatThrownBy(() -> Tokenizer.load(notTok)).hasMessageContaining("other.json")
                .hasMessageContaining("not a tokenizer.json");
        // A merge naming a token absent from the vocabulary: the native library refuses it.
        String broken = Files.readString(file).replaceFirst("\"merges\" : \\[", "\"merges\" : [ \"zzq qzz\",");
        Path brokenFile = Files.writeString(dir.resolve("broken.json"), broken);
        assertThatThrownBy(() -> Tokenizer.load(brokenFile)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("broken.json").hasMessageContaining("rejected");
    }

    @Test
    void tokenIdsOutsideTheIntRangeAreClearErrors() {
        // 3000000000 fits the tokenizers library's u32 but not a Java vocabulary size: was an ArithmeticException
        String big = "{\"version\":\"1.0\",\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":3000000000},"
                + "\"merges\":[]},\"added_tokens\":[]}";
        assertThatThrownBy(() -> Tokenizer.fromJson(big, "big.json")).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("big.json: model.vocab entry 'b' has id 3000000000");
        String added = "{\"version\":\"1.0\",\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]},"
                + "\"added_tokens\":[{\"id\":-1,\"content\":\"<x>\"}]}";
        assertThatThrownBy(() -> Tokenizer.fromJson(added, "added.json")).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("added_tokens[0] needs an integer \"id\" (0 to 2147483646)");
    }
}

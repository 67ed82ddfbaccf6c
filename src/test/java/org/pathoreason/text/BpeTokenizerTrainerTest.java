package org.pathoreason.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.util.Json;

class BpeTokenizerTrainerTest {

    @TempDir
    Path dir;

    private static BpeTokenizerTrainer trainer(int vocab, int minFrequency) {
        return new BpeTokenizerTrainer(BpeTokenizerTrainer.Options.defaults().withVocabSize(vocab)
                .withMinFrequency(minFrequency));
    }

    private static List<String> merges(BpeModel m) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < m.mergeCount(); i++) {
            out.add(String.join(" ", m.merge(i)));
        }
        return out;
    }

    @Test
    void mergesTheClassicExampleByHand() {
        // aaabdaaabac: (a,a) x4 first; then (aa,a) and (a,b) tie at 2 and the smaller ids win: (a,b);
        // then (aa,ab) x2; every other pair is seen once, below the minimum frequency of 2.
        BpeModel m = trainer(1000, 2).train(List.of("aaabdaaabac"));
        assertThat(merges(m)).containsExactly("a a", "a b", "aa ab");
        assertThat(m.vocab().subList(256, m.vocab().size())).containsExactly("aa", "ab", "aaab");
        assertThat(m.vocabSize()).isEqualTo(256 + 3 + 14);
    }

    @Test
    void byteAlphabetComesFirstInGpt2Order() {
        BpeModel m = trainer(300, 2).train(List.of("hello hello"));
        assertThat(m.vocab().get(0)).isEqualTo("!");
        assertThat(m.vocab().get(187)).isEqualTo("\u00ff"); // last printable byte
        assertThat(m.vocab().get(188)).isEqualTo("\u0100"); // byte 0
        assertThat(m.vocab().get(188 + 32)).isEqualTo("Ġ"); // the space byte
        assertThat(m.addedTokenId(SpecialTokens.END_OF_TEXT)).isEqualTo(m.vocab().size());
        assertThat(m.addedTokenId(SpecialTokens.OBSERVE_CLOSE)).isEqualTo(m.vocabSize() - 1);
        assertThat(m.addedTokenId("<nope>")).isEqualTo(-1);
    }

    @Test
    void reachesTheTargetVocabSizeExactly() {
        BpeModel m = trainer(1000, 2).train(Corpus.lines(3000, 7));
        assertThat(m.vocabSize()).isEqualTo(1000);
        assertThat(m.mergeCount()).isGreaterThanOrEqualTo(1000 - 256 - 14);
    }

    @Test
    void stopsShortWhenNoPairIsFrequentEnough() {
        BpeModel m = trainer(4096, 2).train(List.of("abc abd"));
        // only "ab" (twice, inside "abc" and "abd") and " a"... : " abd" is one pre-token, so Ġa is seen once.
        assertThat(merges(m)).containsExactly("a b");
        assertThat(m.vocabSize()).isEqualTo(256 + 1 + 14);
    }

    @Test
    void isDeterministic() {
        List<String> corpus = Corpus.lines(2000, 3);
        String a = trainer(900, 2).train(corpus).toJsonString();
        String b = trainer(900, 2).train(corpus).toJsonString();
        assertThat(a).isEqualTo(b);
    }

    @Test
    void incrementalCountsGiveTheSameMergesAsRecountingEverything() {
        List<String> corpus = Corpus.lines(400, 11);
        BpeModel fast = trainer(256 + 14 + 400, 1).train(corpus);
        List<String> slow = naiveMerges(corpus, 400);
        assertThat(merges(fast)).containsExactlyElementsOf(slow);
    }

    /** Reference: recount every pair before every merge; same tie-break (count, then smaller ids). */
    private static List<String> naiveMerges(List<String> corpus, int count) {
        Map<String, Integer> pieces = new LinkedHashMap<>();
        for (String line : corpus) {
            Matcher m = ByteLevel.QWEN2_REGEX.matcher(java.text.Normalizer.normalize(line,
                    java.text.Normalizer.Form.NFC));
            while (m.find()) {
                pieces.merge(m.group(), 1, Integer::sum);
            }
        }
        List<String> vocab = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        char[] alphabet = new char[256];
        for (int b = 0; b < 256; b++) {
            alphabet[b] = ByteLevel.charOf(b);
        }
        Arrays.sort(alphabet);
        for (char c : alphabet) {
            ids.put(String.valueOf(c), vocab.size());
            vocab.add(String.valueOf(c));
        }
        List<List<Integer>> words = new ArrayList<>();
        List<Integer> freq = new ArrayList<>();
        for (Map.Entry<String, Integer> e : pieces.entrySet()) {
            List<Integer> w = new ArrayList<>();
            for (char c : ByteLevel.encode(e.getKey()).toCharArray()) {
                w.add(ids.get(String.valueOf(c)));
            }
            words.add(w);
            freq.add(e.getValue());
        }
        List<String> merges = new ArrayList<>();
        while (merges.size() < count) {
            Map<List<Integer>, Long> counts = new HashMap<>();
            for (int i = 0; i < words.size(); i++) {
                List<Integer> w = words.get(i);
                for (int j = 0; j + 1 < w.size(); j++) {
                    counts.merge(List.of(w.get(j), w.get(j + 1)), (long) freq.get(i), Long::sum);
                }
            }
            List<Integer> best = null;
            long bestCount = 0;
            for (Map.Entry<List<Integer>, Long> e : counts.entrySet()) {
                List<Integer> p = e.getKey();
                long c = e.getValue();
                if (best == null || c > bestCount || (c == bestCount && (p.get(0) < best.get(0)
                        || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1))))) {
                    best = p;
                    bestCount = c;
                }
            }
            if (best == null) {
                break;
            }
            String merged = vocab.get(best.get(0)) + vocab.get(best.get(1));
            merges.add(vocab.get(best.get(0)) + " " + vocab.get(best.get(1)));
            Integer id = ids.get(merged);
            if (id == null) {
                id = vocab.size();
                ids.put(merged, id);
                vocab.add(merged);
            }
            for (List<Integer> w : words) {
                List<Integer> out = new ArrayList<>();
                for (int j = 0; j < w.size(); ) {
                    if (j + 1 < w.size() && w.get(j).equals(best.get(0)) && w.get(j + 1).equals(best.get(1))) {
                        out.add(id);
                        j += 2;
                    } else {
                        out.add(w.get(j++));
                    }
                }
                w.clear();
                w.addAll(out);
            }
        }
        return merges;
    }

    @Test
    void neverLearnsPiecesOfAddedTokens() {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            corpus.add("<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>What is it?<|im_end|>\n"
                    + "<|im_start|>assistant\n<think>glands</think><answer>B</answer><|im_end|>\n");
        }
        BpeModel m = trainer(600, 2).train(corpus);
        for (String token : m.vocab().subList(256, m.vocab().size())) {
            assertThat(token).doesNotContain("<|").doesNotContain("|>").doesNotContain("think")
                    .doesNotContain("answer>");
        }
        assertThat(m.vocab()).contains("user", "assistant");
    }

    @Test
    void writesQwen2StyleTokenizerJson() throws Exception {
        Path out = dir.resolve("tok/tokenizer.json");
        trainer(500, 2).train(Corpus.lines(500, 5)).write(out);
        JsonNode root = Json.MAPPER.readTree(Files.readString(out));
        assertThat(root.at("/model/type").asText()).isEqualTo("BPE");
        assertThat(root.at("/normalizer/type").asText()).isEqualTo("NFC");
        assertThat(root.at("/pre_tokenizer/pretokenizers/0/pattern/Regex").asText())
                .isEqualTo("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+"
                        + "[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        assertThat(root.at("/pre_tokenizer/pretokenizers/1/use_regex").asBoolean()).isFalse();
        assertThat(root.at("/decoder/type").asText()).isEqualTo("ByteLevel");
        JsonNode added = root.get("added_tokens");
        assertThat(added).hasSize(14);
        assertThat(added.get(0).get("content").asText()).isEqualTo("<|endoftext|>");
        assertThat(added.get(0).get("special").asBoolean()).isTrue();
        assertThat(added.get(6).get("content").asText()).isEqualTo("<|image_pad|>");
        assertThat(added.get(8).get("content").asText()).isEqualTo("<think>");
        assertThat(added.get(8).get("special").asBoolean()).isFalse();
        assertThat(root.at("/model/vocab").size() + added.size()).isEqualTo(500);
        try (var files = Files.list(out.getParent())) {
            assertThat(files).containsExactly(out); // no temp file left behind
        }
    }

    @Test
    void trainsOnAFewMegabytesInSeconds() throws Exception {
        Path corpus = dir.resolve("corpus.txt");
        Files.write(corpus, Corpus.lines(25_000, 42)); // about 2.5 MB
        long bytes = Files.size(corpus);
        long t0 = System.nanoTime();
        BpeModel m = new BpeTokenizerTrainer().train(corpus);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("BPE training: %.1f MB, %d merges, %.2f s%n", bytes / 1e6, m.mergeCount(), seconds);
        assertThat(bytes).isGreaterThan(2_000_000);
        assertThat(seconds).isLessThan(30);
    }

    @Test
    void readsAFileKeepingNewlinesAndAByteOrderMark() throws Exception {
        Path corpus = dir.resolve("c.txt");
        Files.writeString(corpus, "\uFEFFline one\nline two\n\nline one\n", StandardCharsets.UTF_8);
        BpeModel m = trainer(400, 2).train(corpus);
        assertThat(m.vocab()).contains("line", "Ġone").doesNotContain("\u00ef\u00bb\u00bf");
    }

    @Test
    void clearErrorsForBadInput() throws Exception {
        assertThatThrownBy(() -> trainer(300, 2).train(dir.resolve("missing.txt")))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("missing.txt")
                .hasMessageContaining("not found");
        Path empty = Files.writeString(dir.resolve("empty.txt"), " \n\n");
        assertThatThrownBy(() -> trainer(300, 2).train(empty)).hasMessageContaining("empty.txt")
                .hasMessageContaining("empty");
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, "ok line\nsecond line\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> trainer(300, 2).train(latin1)).hasMessageContaining("latin1.txt:3")
                .hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> trainer(200, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vocab size 200 is too small").hasMessageContaining("271");
        assertThatThrownBy(() -> trainer(1000, 0)).hasMessageContaining("minFrequency");
        assertThatThrownBy(() -> trainer(300, 2).train(List.of("", ""))).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("no text");
    }
}

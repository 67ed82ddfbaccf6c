package org.pathoreason.generate;

import org.pathoreason.model.Prompt;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.model.qwen2vl.TinyModels;

class GeneratorTest {

    static NDManager root;
    static Qwen2VLModel model;
    static Generator generator;
    static List<Prompt> prompts;

    /** One letter per id, so that text and stop strings are easy to follow. */
    static String decode(long[] ids) {
        StringBuilder sb = new StringBuilder();
        for (long id : ids) {
            sb.append((char) ('a' + id % 26));
        }
        return sb.toString();
    }

    @BeforeAll
    static void setUp() {
        root = Engines.newManager();
        model = Qwen2VLModel.random(TinyModels.config(true), 21, root);
        generator = new Generator(model, GeneratorTest::decode);
        int[] g = {1, 4, 8};
        prompts = List.of(
                new Prompt(TinyModels.prompt(g, new long[] {1, 2}, new long[] {3, 4}), TinyModels.patches(g, 1),
                        List.of(g)),
                Prompt.text(5, 6, 7),
                new Prompt(TinyModels.prompt(g, new long[] {8}, new long[] {9}), TinyModels.patches(g, 2),
                        List.of(g)));
    }

    @AfterAll
    static void tearDown() {
        model.close();
        root.close();
    }

    @Test
    void aRepeatedPromptIsPrefilledOnceWithTheResultsOfSeparateCopies() {
        Prompt a = prompts.get(0);
        Prompt copy = new Prompt(a.tokenIds().clone(), a.pixelPatches().clone(), a.imageGrids());
        SamplingOptions opts = SamplingOptions.greedy(6);
        List<GenerationResult> shared = generator.generate(List.of(a, prompts.get(2), a, a), opts, null, root);
        Prompt another = new Prompt(a.tokenIds().clone(), a.pixelPatches().clone(), a.imageGrids());
        List<GenerationResult> separate = generator.generate(List.of(a, prompts.get(2), copy, another),
                opts, null, root);
        for (int i = 0; i < 4; i++) {
            assertThat(shared.get(i).tokenIds()).as("row %d", i).containsExactly(separate.get(i).tokenIds());
            assertThat(shared.get(i).logProbs()).as("row %d", i).containsExactly(separate.get(i).logProbs(),
                    Offset.offset(1e-4f));
        }
    }

    @Test
    void cachedAndUncachedGreedyDecodingAgree() {
        SamplingOptions opts = SamplingOptions.greedy(6);
        List<GenerationResult> cached = generator.generate(prompts, opts, null, root);
        List<GenerationResult> full = generator.generate(prompts, opts.withCache(false), null, root);
        for (int b = 0; b < prompts.size(); b++) {
            assertThat(cached.get(b).tokenIds()).containsExactly(full.get(b).tokenIds());
            for (int i = 0; i < 6; i++) {
                assertThat(cached.get(b).logProbs()[i]).isCloseTo(full.get(b).logProbs()[i], Offset.offset(1e-5f));
            }
            assertThat(cached.get(b).finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(cached.get(b).text()).isEqualTo(decode(cached.get(b).tokenIds()));
        }
    }

    @Test
    void logProbsMatchTheTrainingForward() {
        List<GenerationResult> out = generator.generate(prompts, SamplingOptions.sampling(5, 1.0, 3), null, root);
        for (int b = 0; b < prompts.size(); b++) {
            long[] p = prompts.get(b).tokenIds();
            long[] full = Arrays.copyOf(p, p.length + 5);
            System.arraycopy(out.get(b).tokenIds(), 0, full, p.length, 5);
            Prompt pr = prompts.get(b);
            try (NDManager step = root.newSubManager()) {
                NDArray lp = model.tokenLogProbs(new ModelInput(new long[][] {full}, null, pr.pixelPatches(),
                        pr.imageGrids()), p.length, step);
                float[] expected = lp.toFloatArray();
                for (int i = 0; i < 5; i++) {
                    assertThat(out.get(b).logProbs()[i]).isCloseTo(expected[i], Offset.offset(1e-4f));
                }
            }
        }
    }

    @Test
    void seededSamplingIsReproducible() {
        SamplingOptions opts = SamplingOptions.sampling(8, 1.2, 42).withTopK(30).withTopP(0.95);
        List<GenerationResult> a = generator.generate(prompts, opts, null, root);
        List<GenerationResult> b = generator.generate(prompts, opts, null, root);
        List<GenerationResult> c = generator.generate(prompts, opts.withSeed(43), null, root);
        boolean anyDifferent = false;
        for (int i = 0; i < prompts.size(); i++) {
            assertThat(a.get(i).tokenIds()).containsExactly(b.get(i).tokenIds());
            assertThat(a.get(i).logProbs()).containsExactly(b.get(i).logProbs());
            anyDifferent |= !Arrays.equals(a.get(i).tokenIds(), c.get(i).tokenIds());
        }
        assertThat(anyDifferent).isTrue();
    }

    @Test
    void stopTokensAndStopStringsEndSequencesAndStreamingAddsUpToTheText() {
        List<GenerationResult> free = generator.generate(prompts, SamplingOptions.greedy(8), null, root);
        long stopToken = free.get(0).tokenIds()[2];
        String stopString = free.get(1).text().substring(3, 5);
        SamplingOptions opts = SamplingOptions.greedy(8).withStopTokenIds(Set.of(stopToken))
                .withStopStrings(List.of(stopString));
        List<StringBuilder> streamed = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            streamed.add(new StringBuilder());
        }
        List<GenerationResult> out = generator.generate(prompts, opts,
                (seq, token, delta) -> streamed.get(seq).append(delta), root);

        GenerationResult r0 = out.get(0);
        int firstStop = indexOf(free.get(0).tokenIds(), stopToken);
        assertThat(r0.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r0.tokenIds()).hasSize(firstStop + 1).endsWith(stopToken);
        assertThat(r0.text()).isEqualTo(decode(Arrays.copyOf(r0.tokenIds(), firstStop)));

        GenerationResult r1 = out.get(1);
        assertThat(r1.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r1.text()).doesNotContain(stopString);
        assertThat(free.get(1).text()).startsWith(r1.text() + stopString);

        for (int i = 0; i < prompts.size(); i++) {
            assertThat(streamed.get(i).toString()).isEqualTo(out.get(i).text());
        }
    }

    /**
     * Byte-level decoding as Qwen's tokenizer does it: each id is one byte, and ids 20-25 start or end two-byte
     * characters, so a character often spans two tokens and a partial one decodes to U+FFFD.
     */
    static String utf8(long[] ids) {
        byte[] bytes = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            long id = ids[i] % 26;
            bytes[i] = id < 20 ? (byte) ('a' + id) : id < 23 ? (byte) 0xC3 : (byte) (0xA9 + id - 23);
        }
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void stopStringsAreFoundByDecodingOnlyTheNewTokensAndStreamWholeCharacters() {
        long[] decodedIds = {0};
        Generator counting = new Generator(model, ids -> {
            decodedIds[0] += ids.length;
            return utf8(ids);
        });
        int steps = 40;
        List<GenerationResult> free = counting.generate(prompts, SamplingOptions.greedy(steps), null, root);
        GenerationResult longest = free.get(0);
        String stop = utf8(Arrays.copyOfRange(longest.tokenIds(), 25, 28)).replace("\uFFFD", "");
        org.junit.jupiter.api.Assumptions.assumeFalse(stop.isEmpty());
        List<StringBuilder> streamed = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            streamed.add(new StringBuilder());
        }
        decodedIds[0] = 0;
        List<GenerationResult> out = counting.generate(prompts,
                SamplingOptions.greedy(steps).withStopStrings(List.of(stop)),
                (seq, token, delta) -> streamed.get(seq).append(delta), root);
        for (int i = 0; i < prompts.size(); i++) {
            String full = free.get(i).text();
            int cut = full.indexOf(stop);
            // the same tokens up to the one that completes the stop string, the text cut before it
            assertThat(out.get(i).text()).isEqualTo(cut >= 0 ? full.substring(0, cut) : full);
            assertThat(out.get(i).finishReason()).isEqualTo(cut >= 0 ? FinishReason.STOP : FinishReason.LENGTH);
            assertThat(utf8(out.get(i).tokenIds())).startsWith(out.get(i).text());
            assertThat(streamed.get(i).toString()).isEqualTo(out.get(i).text());
        }
        assertThat(out.get(0).finishReason()).isEqualTo(FinishReason.STOP);
        // decoding the whole row at every step would take sum(1..40) = 820 ids per row
        assertThat(decodedIds[0]).isLessThan(prompts.size() * 8L * steps);
    }

    private static int indexOf(long[] a, long v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}

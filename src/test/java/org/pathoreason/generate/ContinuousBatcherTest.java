package org.pathoreason.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.Prompt;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.model.qwen2vl.TinyModels;

class ContinuousBatcherTest {

    static NDManager root;
    static Qwen2VLModel model;
    static Generator generator;
    static List<Prompt> prompts;

    @BeforeAll
    static void setUp() {
        root = Engines.newManager();
        model = Qwen2VLModel.random(TinyModels.config(true), 21, root);
        generator = new Generator(model, GeneratorTest::decode);
        int[] g = {1, 4, 8};
        int[] small = {1, 4, 4};
        prompts = List.of(
                Prompt.text(5, 6, 7),
                new Prompt(TinyModels.prompt(g, new long[] {1, 2}, new long[] {3, 4}), TinyModels.patches(g, 1),
                        List.of(g)),
                Prompt.text(8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27),
                new Prompt(TinyModels.prompt(small, new long[] {8}, new long[] {9}), TinyModels.patches(small, 2),
                        List.of(small)),
                Prompt.text(30, 31));
    }

    @AfterAll
    static void tearDown() {
        model.close();
        root.close();
    }

    /** Collects one sequence's streamed text and counts its tokens. */
    static final class Collector implements ContinuousBatcher.Listener {
        final StringBuilder text = new StringBuilder();
        final AtomicInteger tokens = new AtomicInteger();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile ContinuousBatcher.End end;
        volatile CountDownLatch afterTokens = new CountDownLatch(0);

        @Override
        public void onToken(long tokenId, String delta) {
            text.append(delta);
            tokens.incrementAndGet();
            afterTokens.countDown();
        }

        @Override
        public void onEnd(GenerationResult result, ContinuousBatcher.End how) {
            end = how;
            ended.countDown();
        }

        @Override
        public void onError(RuntimeException error) {
            ended.countDown();
        }
    }

    @Test
    void sequencesJoiningAndLeavingMidFlightGetWhatTheyGetAlone() throws Exception {
        // different lengths, so that rows join a batch both longer and shorter than themselves and leave early
        int[] lengths = {24, 9, 16, 12, 20};
        List<SamplingOptions> sampling = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            SamplingOptions o = i % 2 == 0 ? SamplingOptions.greedy(lengths[i])
                    : SamplingOptions.sampling(lengths[i], 0.9, 100 + i).withTopK(20);
            sampling.add(o);
        }
        try (ContinuousBatcher batcher = new ContinuousBatcher(model, GeneratorTest::decode,
                new ContinuousBatcher.Options(3, 8, 4), root)) {
            List<ContinuousBatcher.Sequence> seqs = new ArrayList<>();
            List<Collector> collectors = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                Collector c = new Collector();
                c.afterTokens = new CountDownLatch(3);
                collectors.add(c);
                seqs.add(batcher.offer(prompts.get(i), sampling.get(i), c, null).orElseThrow());
                if (i < 2) {
                    // the next one arrives while this one decodes
                    assertThat(c.afterTokens.await(30, TimeUnit.SECONDS)).isTrue();
                }
            }
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult got = seqs.get(i).await();
                GenerationResult alone = generator.generate(List.of(prompts.get(i)), sampling.get(i), null, root)
                        .get(0);
                assertThat(got.tokenIds()).as("sequence %d", i).containsExactly(alone.tokenIds());
                assertThat(got.text()).isEqualTo(alone.text());
                assertThat(collectors.get(i).text.toString()).isEqualTo(got.text());
                assertThat(seqs.get(i).end()).isEqualTo(ContinuousBatcher.End.FINISHED);
                for (int t = 0; t < got.logProbs().length; t++) {
                    assertThat(got.logProbs()[t]).isCloseTo(alone.logProbs()[t], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
            ContinuousBatcher.Stats stats = batcher.stats();
            assertThat(stats.admitted()).isEqualTo(5);
            assertThat(stats.running()).isZero();
            // fewer steps than the tokens of all sequences: they shared decode steps
            long tokens = 0;
            for (int n : lengths) {
                tokens += n;
            }
            assertThat(stats.steps()).isLessThan(tokens - prompts.size());
        }
    }

    @Test
    void stopTokensAndStringsEndASequenceAndItLeavesTheBatch() throws Exception {
        GenerationResult free = generator.generate(List.of(prompts.get(0)), SamplingOptions.greedy(12), null, root)
                .get(0);
        long stopToken = free.tokenIds()[4];
        try (ContinuousBatcher batcher = new ContinuousBatcher(model, GeneratorTest::decode,
                ContinuousBatcher.Options.defaults(), root)) {
            Collector c = new Collector();
            GenerationResult r = batcher.offer(prompts.get(0), SamplingOptions.greedy(12)
                    .withStopTokenIds(Set.of(stopToken)), c, null).orElseThrow().await();
            int firstStop = 0;
            while (free.tokenIds()[firstStop] != stopToken) {
                firstStop++;
            }
            assertThat(r.tokenIds()).hasSize(firstStop + 1);
            assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
            String stop = free.text().substring(6, 8);
            GenerationResult s = batcher.offer(prompts.get(0), SamplingOptions.greedy(12)
                    .withStopStrings(List.of(stop)), new Collector(), null).orElseThrow().await();
            assertThat(s.text()).isEqualTo(free.text().substring(0, free.text().indexOf(stop)));
            assertThat(s.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void cancelTimeLimitQueueBoundAndShutdown() throws Exception {
        ContinuousBatcher batcher = new ContinuousBatcher(model, GeneratorTest::decode,
                new ContinuousBatcher.Options(1, 1, 8), root);
        Collector running = new Collector();
        running.afterTokens = new CountDownLatch(2);
        ContinuousBatcher.Sequence first = batcher.offer(prompts.get(0), SamplingOptions.greedy(100_000), running,
                null).orElseThrow();
        assertThat(running.afterTokens.await(30, TimeUnit.SECONDS)).isTrue();
        // one row busy, one place in the queue: the third is refused
        Collector queued = new Collector();
        ContinuousBatcher.Sequence second = batcher.offer(prompts.get(1), SamplingOptions.greedy(5), queued, null)
                .orElseThrow();
        Optional<ContinuousBatcher.Sequence> third = batcher.offer(prompts.get(2), SamplingOptions.greedy(5),
                new Collector(), null);
        assertThat(third).isEmpty();
        first.cancel();
        assertThat(running.ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.end()).isEqualTo(ContinuousBatcher.End.CANCELLED);
        assertThat(first.await().tokenIds().length).isLessThan(100_000);
        // the queued one now gets the row and finishes
        assertThat(second.await().tokenIds()).hasSize(5);

        Collector slow = new Collector();
        ContinuousBatcher.Sequence limited = batcher.offer(prompts.get(0), SamplingOptions.greedy(100_000), slow,
                Duration.ofMillis(300)).orElseThrow();
        assertThat(slow.ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(limited.end()).isEqualTo(ContinuousBatcher.End.TIMED_OUT);
        assertThat(limited.await().tokenIds().length).isPositive();

        Collector last = new Collector();
        ContinuousBatcher.Sequence drained = batcher.offer(prompts.get(3), SamplingOptions.greedy(6), last, null)
                .orElseThrow();
        assertThat(batcher.shutdown(Duration.ofSeconds(30))).isTrue();
        assertThat(drained.end()).isEqualTo(ContinuousBatcher.End.FINISHED);
        assertThat(batcher.offer(prompts.get(0), SamplingOptions.greedy(2), new Collector(), null)).isEmpty();
    }
}

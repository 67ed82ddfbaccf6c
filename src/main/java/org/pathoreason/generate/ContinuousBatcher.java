package org.pathoreason.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.Prompt;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.util.PathoReasonException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching: sequences submitted at any time join the running decode batch at the next step boundary
 * and leave it as soon as they finish, each with its own sampling settings, seed, stop conditions and KV rows.
 *
 * <p>One engine thread owns the model. At each step boundary it drops the rows that finished, were cancelled or ran
 * out of time, admits waiting sequences while the batch has room (their prompts are prefilled together in a cache
 * of their own, which then is {@linkplain KvCache#merge merged} into the running one), and runs one decode step
 * for every running row. A sequence's output is the one {@link Generator} gives it alone, up to floating-point
 * rounding of the batched arithmetic. Listeners are called on the engine thread: they must return quickly (hand the
 * text to another thread).
 *
 * <pre>{@code
 * try (ContinuousBatcher batcher = new ContinuousBatcher(model, decoder, ContinuousBatcher.Options.defaults(), root)) {
 *     ContinuousBatcher.Sequence s = batcher.offer(prompt, sampling, listener, Duration.ofMinutes(2)).orElseThrow();
 *     GenerationResult r = s.await();
 * }
 * }</pre>
 */
public final class ContinuousBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContinuousBatcher.class);
    private static final boolean[] ONE_ROW = {true};

    /**
     * Sizes.
     *
     * @param maxBatch most sequences decoded together (KV rows)
     * @param maxQueue most sequences waiting for a row; {@link #offer} refuses more
     * @param extraColumns free KV columns allocated past the current length when the cache is rebuilt (a rebuild
     *     copies the cache, so more columns mean fewer rebuilds but more memory)
     */
    public record Options(int maxBatch, int maxQueue, int extraColumns) {

        public Options {
            if (maxBatch < 1 || maxQueue < 0 || extraColumns < 1) {
                throw new IllegalArgumentException("ContinuousBatcher needs maxBatch >= 1, maxQueue >= 0 and "
                        + "extraColumns >= 1, got " + maxBatch + ", " + maxQueue + ", " + extraColumns);
            }
        }

        /** 16 rows, 64 waiting, 64 spare columns. */
        public static Options defaults() {
            return new Options(16, 64, 64);
        }
    }

    /** How a sequence ended. */
    public enum End {
        /** stop token, stop string or {@code maxNewTokens} */
        FINISHED,
        /** {@link Sequence#cancel()} (e.g. the client went away) */
        CANCELLED,
        /** its time limit passed, while running (partial result) or while waiting (empty result) */
        TIMED_OUT,
        /** the batcher shut down before the sequence finished */
        SHUT_DOWN
    }

    /** Receives one sequence's output, on the engine thread. */
    public interface Listener {

        /** The first token of a sequence comes right after its prefill; {@code delta} may be empty. */
        void onToken(long tokenId, String delta);

        /** Called once when the sequence ends for any reason but an error. */
        void onEnd(GenerationResult result, End end);

        /** Called once, instead of {@link #onEnd}, when the model failed on this sequence. */
        void onError(RuntimeException error);
    }

    /** Counters for metrics. */
    public record Stats(int running, int waiting, long steps, long admitted, long generatedTokens) {
    }

    /** A submitted sequence. */
    public final class Sequence {
        private final Prompt prompt;
        private final SamplingOptions options;
        private final Listener listener;
        private final long deadlineNanos;
        private volatile boolean cancelled;
        private final java.util.concurrent.CompletableFuture<GenerationResult> done =
                new java.util.concurrent.CompletableFuture<>();
        private volatile End end;
        private DecodedRow row;
        private Sampler sampler;

        private Sequence(Prompt prompt, SamplingOptions options, Listener listener, long deadlineNanos) {
            this.prompt = prompt;
            this.options = options;
            this.listener = listener;
            this.deadlineNanos = deadlineNanos;
        }

        /** Asks the engine to drop this sequence at the next step boundary. */
        public void cancel() {
            cancelled = true;
            wakeEngine();
        }

        public boolean isDone() {
            return done.isDone();
        }

        /** How it ended; null while it runs or when it failed. */
        public End end() {
            return end;
        }

        /**
         * Waits for the result.
         *
         * @throws PathoReasonException when the model failed on this sequence
         */
        public GenerationResult await() throws InterruptedException {
            try {
                return done.get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                throw cause instanceof RuntimeException r ? r : new PathoReasonException(cause.toString(), cause);
            }
        }

        private boolean expired(long now) {
            return deadlineNanos != Long.MIN_VALUE && now - deadlineNanos > 0;
        }

        private void finish(End how) {
            if (done.isDone()) {
                return;
            }
            end = how;
            GenerationResult result = row == null
                    ? new GenerationResult(new long[0], "", new float[0], FinishReason.LENGTH) : row.result();
            try {
                listener.onEnd(result, how);
            } catch (RuntimeException e) {
                LOG.warn("a sequence listener failed at its end: {}", e.toString());
            }
            done.complete(result);
        }

        private void fail(RuntimeException error) {
            if (done.isDone()) {
                return;
            }
            try {
                listener.onError(error);
            } catch (RuntimeException e) {
                LOG.warn("a sequence listener failed on an error: {}", e.toString());
            }
            done.completeExceptionally(error);
        }
    }

    private final VisionLanguageModel model;
    private final TokenDecoder decoder;
    private final Options options;
    private final NDManager manager;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition idle = lock.newCondition();
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private final Thread engine;
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong admitted = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();
    /** Engine-thread state: the running rows, in cache row order, and their cache. */
    private final List<Sequence> running = new ArrayList<>();
    private KvCache cache;
    /** Greedy rows are chosen together, in one pass over the batch's logits (greedy draws no random number). */
    private final Sampler greedy;
    private volatile int runningCount;
    /** Sequences taken from the queue whose prefill is under way: they hold rows already. */
    private volatile int admitting;
    private boolean accepting = true;
    private boolean stopping;
    private boolean busy;

    /**
     * Starts the engine thread.
     *
     * @param manager parent of the KV caches and per-step managers (the model's own manager or a sibling)
     */
    public ContinuousBatcher(VisionLanguageModel model, TokenDecoder decoder, Options options, NDManager manager) {
        this.model = Objects.requireNonNull(model, "model");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.options = Objects.requireNonNull(options, "options");
        this.manager = Objects.requireNonNull(manager, "manager");
        this.greedy = new Sampler(SamplingOptions.greedy(1), model.reservedTokenIds());
        this.engine = new Thread(this::loop, "continuous-batcher");
        this.engine.setDaemon(true);
        this.engine.start();
    }

    /**
     * Submits a sequence, unless the waiting queue is full or the batcher is shutting down.
     *
     * @param timeLimit time from now after which the sequence is ended ({@link End#TIMED_OUT}); null for none
     * @return the sequence, or empty when it was refused
     */
    public Optional<Sequence> offer(Prompt prompt, SamplingOptions sampling, Listener listener, Duration timeLimit) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(listener, "listener");
        if (!sampling.useCache()) {
            throw new IllegalArgumentException("continuous batching always decodes with the KV cache");
        }
        Sequence s = new Sequence(prompt, sampling, listener, timeLimit == null ? Long.MIN_VALUE
                : System.nanoTime() + Math.max(1, timeLimit.toNanos()));
        lock.lock();
        try {
            int freeRows = Math.max(0, options.maxBatch() - runningCount - admitting);
            if (!accepting || waiting.size() >= options.maxQueue() + freeRows) {
                return Optional.empty();
            }
            waiting.addLast(s);
            wake.signalAll();
            return Optional.of(s);
        } finally {
            lock.unlock();
        }
    }

    public Options options() {
        return options;
    }

    public Stats stats() {
        int w;
        lock.lock();
        try {
            w = waiting.size();
        } finally {
            lock.unlock();
        }
        return new Stats(runningCount, w, steps.get(), admitted.get(), generated.get());
    }

    /**
     * Stops taking sequences, lets those already submitted finish for at most {@code grace}, then ends the rest
     * ({@link End#SHUT_DOWN}) and stops the engine thread.
     *
     * @return true when everything submitted finished within the grace period
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        long until = System.nanoTime() + grace.toNanos();
        boolean drained;
        lock.lock();
        try {
            accepting = false;
            wake.signalAll();
            while (busyOrWaiting() && System.nanoTime() - until < 0) {
                idle.awaitNanos(Math.max(1, until - System.nanoTime()));
            }
            drained = !busyOrWaiting();
            stopping = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        engine.join(TimeUnit.SECONDS.toMillis(30));
        return drained;
    }

    private boolean busyOrWaiting() {
        return busy || runningCount > 0 || !waiting.isEmpty();
    }

    @Override
    public void close() {
        try {
            shutdown(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void wakeEngine() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        try {
            while (true) {
                List<Sequence> newcomers = new ArrayList<>();
                List<Sequence> gone = new ArrayList<>();
                lock.lock();
                try {
                    while (!stopping && running.isEmpty() && waiting.isEmpty()) {
                        busy = false;
                        idle.signalAll();
                        wake.await(100, TimeUnit.MILLISECONDS);
                    }
                    if (stopping) {
                        break;
                    }
                    busy = true;
                    long now = System.nanoTime();
                    waiting.removeIf(s -> (s.cancelled || s.expired(now)) && gone.add(s));
                    while (!waiting.isEmpty() && running.size() + newcomers.size() < options.maxBatch()) {
                        newcomers.add(waiting.pollFirst());
                    }
                    admitting = newcomers.size();
                } finally {
                    lock.unlock();
                }
                for (Sequence s : gone) {
                    s.finish(s.cancelled ? End.CANCELLED : End.TIMED_OUT);
                }
                dropEnded();
                admit(newcomers);
                admitting = 0;
                if (!running.isEmpty()) {
                    step();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("the continuous batcher's engine thread failed", e);
            failAll(e instanceof RuntimeException r ? r : new PathoReasonException("engine thread failed: " + e, e));
        } finally {
            endAll();
        }
    }

    /** Removes running rows that were cancelled or ran out of time, and rebuilds the cache without them. */
    private void dropEnded() {
        long now = System.nanoTime();
        boolean changed = false;
        for (Sequence s : running) {
            if (s.cancelled || s.expired(now)) {
                s.row.stop();
                s.finish(s.cancelled ? End.CANCELLED : End.TIMED_OUT);
                changed = true;
            }
        }
        if (changed) {
            keepUnfinished();
        }
    }

    /** Prefills the newcomers together, takes their first tokens and merges their rows into the running batch. */
    private void admit(List<Sequence> newcomers) {
        long now = System.nanoTime();
        List<Sequence> live = new ArrayList<>();
        for (Sequence s : newcomers) {
            if (s.cancelled) {
                s.finish(End.CANCELLED);
            } else if (s.expired(now)) {
                s.finish(End.TIMED_OUT);
            } else {
                live.add(s);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        List<Prompt> prompts = new ArrayList<>();
        for (Sequence s : live) {
            prompts.add(s.prompt);
        }
        ModelInput input = ModelInput.leftPadded(prompts, 0);
        KvCache fresh = null;
        try {
            fresh = model.newCache(live.size(), input.length(), manager);
            try (NDManager scope = manager.newSubManager()) {
                NDArray logits = model.prefill(input, fresh, scope);
                for (Sequence s : live) {
                    s.row = new DecodedRow(s.options, decoder, true);
                    s.sampler = s.options.greedy() ? null : new Sampler(s.options, model.reservedTokenIds());
                }
                takeAll(live, logits);
            }
        } catch (RuntimeException e) {
            LOG.warn("prefill of {} sequence(s) failed: {}", live.size(), e.getMessage());
            for (Sequence s : live) {
                s.fail(e);
            }
            if (fresh != null) {
                fresh.close();
            }
            return;
        }
        admitted.addAndGet(live.size());
        List<KvCache.Rows> parts = new ArrayList<>();
        if (cache != null && !running.isEmpty()) {
            parts.add(new KvCache.Rows(cache, rowsRange(running.size())));
        }
        List<Integer> newRows = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
            Sequence s = live.get(i);
            if (s.row.finished()) {
                s.finish(End.FINISHED);
            } else {
                newRows.add(i);
            }
        }
        if (!newRows.isEmpty()) {
            parts.add(new KvCache.Rows(fresh, newRows.stream().mapToInt(Integer::intValue).toArray()));
            KvCache merged = KvCache.merge(parts, options.extraColumns(), manager);
            closeCache();
            cache = merged;
            for (int i : newRows) {
                running.add(live.get(i));
            }
            runningCount = running.size();
        }
        fresh.close();
    }

    /** One decode step for every running row. */
    private void step() {
        if (cache.length() >= cache.capacity()) {
            // out of columns: rebuild with room for more (this also trims columns every row has left behind)
            KvCache grown = KvCache.merge(List.of(new KvCache.Rows(cache, rowsRange(running.size()))),
                    options.extraColumns(), manager);
            closeCache();
            cache = grown;
        }
        long[] tokens = new long[running.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = running.get(i).row.lastToken();
        }
        try (NDManager scope = manager.newSubManager()) {
            takeAll(running, model.decode(tokens, cache, scope));
        } catch (RuntimeException e) {
            LOG.warn("a decode step of {} sequence(s) failed: {}", running.size(), e.getMessage());
            failAll(e);
            return;
        }
        steps.incrementAndGet();
        List<Sequence> ended = new ArrayList<>();
        for (Sequence s : running) {
            if (s.row.finished()) {
                ended.add(s);
            }
        }
        if (!ended.isEmpty()) {
            // counted out before their results complete, so stats() never shows a finished sequence as running
            runningCount = running.size() - ended.size();
            for (Sequence s : ended) {
                s.finish(End.FINISHED);
            }
            keepUnfinished();
        }
    }

    /**
     * Chooses every row's next token from the logits {@code [rows, vocab]}: greedy rows together, sampling rows
     * each with its own sampler (its settings and its seeded generator), and streams their text.
     */
    private void takeAll(List<Sequence> rows, NDArray logits) {
        boolean[] greedyRows = new boolean[rows.size()];
        boolean anyGreedy = false;
        for (int i = 0; i < greedyRows.length; i++) {
            greedyRows[i] = rows.get(i).sampler == null;
            anyGreedy |= greedyRows[i];
        }
        Sampler.Choice together = anyGreedy ? greedy.choose(logits, greedyRows) : null;
        for (int i = 0; i < greedyRows.length; i++) {
            Sequence s = rows.get(i);
            if (greedyRows[i]) {
                take(s, together.tokens()[i], together.logProbs()[i]);
            } else {
                Sampler.Choice c = s.sampler.choose(logits.get(new NDIndex("{}:{}", i, i + 1)), ONE_ROW);
                take(s, c.tokens()[0], c.logProbs()[0]);
            }
        }
    }

    private void take(Sequence s, long token, float logProb) {
        boolean last = s.row.length() + 1 >= s.options.maxNewTokens();
        String delta = s.row.accept(token, logProb, last);
        generated.incrementAndGet();
        try {
            s.listener.onToken(token, delta);
        } catch (RuntimeException e) {
            LOG.warn("a sequence listener failed on a token; cancelling it: {}", e.toString());
            s.cancelled = true;
        }
    }

    /** Keeps the running rows that have not ended, in a cache rebuilt from their rows. */
    private void keepUnfinished() {
        List<Sequence> keep = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            if (!running.get(i).isDone()) {
                keep.add(running.get(i));
                rows.add(i);
            }
        }
        if (keep.size() == running.size()) {
            return;
        }
        KvCache next = keep.isEmpty() ? null : KvCache.merge(List.of(new KvCache.Rows(cache,
                rows.stream().mapToInt(Integer::intValue).toArray())), options.extraColumns(), manager);
        closeCache();
        cache = next;
        running.clear();
        running.addAll(keep);
        runningCount = running.size();
    }

    private void failAll(RuntimeException e) {
        for (Sequence s : running) {
            s.fail(e);
        }
        running.clear();
        runningCount = 0;
        closeCache();
    }

    /** Ends every sequence still running or waiting when the engine stops. */
    private void endAll() {
        for (Sequence s : running) {
            if (s.row != null) {
                s.row.stop();
            }
            s.finish(End.SHUT_DOWN);
        }
        running.clear();
        runningCount = 0;
        closeCache();
        lock.lock();
        try {
            accepting = false;
            for (Sequence s : waiting) {
                s.finish(End.SHUT_DOWN);
            }
            waiting.clear();
            busy = false;
            idle.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void closeCache() {
        if (cache != null) {
            cache.close();
            cache = null;
        }
    }

    private static int[] rowsRange(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}

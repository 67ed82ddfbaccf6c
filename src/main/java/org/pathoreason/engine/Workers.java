package org.pathoreason.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs independent pieces of engine work (generation chunks, no-grad forward passes) on the calling thread and on
 * helper threads set up as {@link EngineThreads} sets them up. Each piece's result depends only on the piece, so
 * the results, returned in the pieces' order, are the same with any number of workers; only the time differs.
 */
public final class Workers implements AutoCloseable {

    /** Everything on the calling thread. */
    public static final Workers CALLER_ONLY = new Workers(1);

    private final int count;
    private final ExecutorService helpers;

    private Workers(int count) {
        this.count = count;
        this.helpers = count > 1 ? Executors.newFixedThreadPool(count - 1, EngineThreads.factory("worker")) : null;
    }

    /** {@code count} workers: the calling thread and {@code count - 1} helper threads. */
    public static Workers of(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + count);
        }
        return count == 1 ? CALLER_ONLY : new Workers(count);
    }

    public int count() {
        return count;
    }

    /**
     * The results of {@code pieces}, in their order. Every worker takes the next piece not yet taken until none is
     * left; the first failure is thrown once all have stopped.
     */
    public <T> List<T> map(List<? extends Callable<T>> pieces) {
        int n = pieces.size();
        Object[] results = new Object[n];
        if (helpers == null || n < 2) {
            for (int i = 0; i < n; i++) {
                results[i] = call(pieces.get(i));
            }
            return cast(results);
        }
        AtomicInteger next = new AtomicInteger();
        Runnable take = () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                results[i] = call(pieces.get(i));
            }
        };
        List<Future<?>> running = new ArrayList<>();
        for (int h = 0; h < Math.min(count - 1, n - 1); h++) {
            running.add(helpers.submit(take));
        }
        RuntimeException failure = null;
        try {
            take.run();
        } catch (RuntimeException e) {
            next.set(n); // the others stop after their current piece
            failure = e;
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a worker", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return cast(results);
    }

    private static <T> T call(Callable<T> piece) {
        try {
            return piece.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(Object[] results) {
        return (List<T>) Arrays.asList(results);
    }

    @Override
    public void close() {
        if (helpers != null) {
            helpers.shutdownNow();
        }
    }
}

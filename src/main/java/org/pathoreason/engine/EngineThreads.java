package org.pathoreason.engine;

import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that run engine work beside the thread that started the engine. PyTorch keeps grad mode per thread and,
 * with OpenMP, the intra-op thread count too: a new thread would record autograd graphs and use every core. These
 * threads start as the engine's first one: grad mode off, the engine's intra-op thread count.
 */
public final class EngineThreads {

    private EngineThreads() {
    }

    /** A factory of daemon threads named {@code name-N}, set up as the calling thread's engine is. */
    public static ThreadFactory factory(String name) {
        Engines.start();
        int intraOp = JniUtils.getNumThreads();
        AtomicInteger count = new AtomicInteger();
        return body -> {
            Thread t = new Thread(() -> {
                JniUtils.setNumThreads(intraOp);
                JniUtils.setGradMode(false);
                body.run();
            }, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One such thread running tasks in the order they are given. */
    public static ExecutorService single(String name) {
        return Executors.newSingleThreadExecutor(factory(name));
    }
}

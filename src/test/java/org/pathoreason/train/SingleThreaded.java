package org.pathoreason.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Runs PyTorch with one intra-op thread until closed. The toy models' tensors are far too small to gain from
 * threads, and on a loaded 2-core machine the worker threads' waiting made each tiny step about ten times slower.
 */
final class SingleThreaded implements AutoCloseable {

    private final int previous = JniUtils.getNumThreads();

    SingleThreaded() {
        JniUtils.setNumThreads(1);
    }

    @Override
    public void close() {
        JniUtils.setNumThreads(previous);
    }
}

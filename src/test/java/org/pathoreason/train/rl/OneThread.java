package org.pathoreason.train.rl;

import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with one PyTorch intra-op thread: the tiny model's tensors gain nothing from threads, and on
 * a loaded 2-core machine waiting worker threads make each small op many times slower.
 */
final class OneThread implements BeforeAllCallback, AfterAllCallback {

    private int previous;

    @Override
    public void beforeAll(ExtensionContext context) {
        org.pathoreason.engine.Engines.start();
        previous = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        JniUtils.setNumThreads(previous);
    }
}

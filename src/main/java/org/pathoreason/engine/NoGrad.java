package org.pathoreason.engine;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Runs work with PyTorch's autograd recording off, as {@code torch.no_grad()}. DJL turns it off when the engine
 * starts, but PyTorch keeps the flag per thread, so rollouts and reference passes say so explicitly.
 */
public final class NoGrad {

    private NoGrad() {
    }

    public static <T> T get(Supplier<T> body) {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(was);
        }
    }
}

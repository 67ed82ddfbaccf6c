package org.pathoreason.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * The one way PathoReason records a forward for backpropagation, as {@code torch.enable_grad()}: grad mode on for
 * this thread until closed, {@link #backward} as {@code loss.backward()} (gradients add into {@code .grad}).
 *
 * <p>Why not DJL's {@code Engine.newGradientCollector()}: PyTorch keeps grad mode per thread, but DJL's collector
 * also holds a JVM-wide flag that refuses a second open collector, so two trainers could not run side by side in
 * one process (the pipeline trains its CLIP model beside the VLM stages). This class records per thread only.
 */
public final class GradientRecording implements GradientCollector {

    private final boolean wasRecording;
    private boolean closed;

    private GradientRecording() {
        Engines.start();
        wasRecording = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    /** Starts recording on this thread; close it (try-with-resources) on the same thread. */
    public static GradientRecording open() {
        return new GradientRecording();
    }

    @Override
    public void backward(NDArray target) {
        try (NDArray seed = target.onesLike()) {
            JniUtils.backward((PtNDArray) target, (PtNDArray) seed, false, false);
        }
    }

    /**
     * Not offered: PathoReason's parameters live outside DJL's system manager, so each model zeroes its own
     * ({@code VisionLanguageModel.zeroGradients()}, {@code ParameterUpdater.zeroGradients()}).
     */
    @Override
    public void zeroGradients() {
        throw new UnsupportedOperationException("zero the gradients through the model or the ParameterUpdater");
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            JniUtils.setGradMode(wasRecording);
        }
    }
}

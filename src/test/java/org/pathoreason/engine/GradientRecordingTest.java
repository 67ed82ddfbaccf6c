package org.pathoreason.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GradientRecordingTest {

    /** d/dx sum(x^3) = 3 x^2, recorded while {@code open} holds. */
    private static float[] cubeGradient(float[] x, CountDownLatch bothOpen) throws InterruptedException {
        try (NDManager m = Engines.newManager()) {
            NDArray a = m.create(x);
            a.setRequiresGradient(true);
            try (GradientRecording rec = GradientRecording.open()) {
                assertThat(JniUtils.isGradMode()).isTrue();
                bothOpen.countDown();
                assertThat(bothOpen.await(30, TimeUnit.SECONDS)).as("the other thread's recording").isTrue();
                rec.backward(a.mul(a).mul(a).sum());
            }
            assertThat(JniUtils.isGradMode()).isFalse();
            try (NDArray g = a.getGradient()) {
                return g.toFloatArray();
            }
        }
    }

    @Test
    void twoThreadsRecordAndBackpropagateAtTheSameTime() throws Exception {
        Engines.start();
        // DJL's own collector refuses a second open one in the JVM; these two are open at once
        CountDownLatch bothOpen = new CountDownLatch(2);
        ExecutorService side = EngineThreads.single("test-side");
        try {
            Future<float[]> other = side.submit(() -> cubeGradient(new float[] {1, -2}, bothOpen));
            float[] here = cubeGradient(new float[] {3, 0.5f}, bothOpen);
            assertThat(here).containsExactly(27, 0.75f);
            assertThat(other.get(60, TimeUnit.SECONDS)).containsExactly(3, 12);
        } finally {
            side.shutdownNow();
        }
    }

    @Test
    void engineThreadsStartWithoutRecordingAndWithTheEnginesThreadCount() throws Exception {
        Engines.start();
        int threads = JniUtils.getNumThreads();
        ExecutorService side = EngineThreads.single("test-side");
        try {
            assertThat(side.submit(JniUtils::isGradMode).get()).isFalse();
            assertThat(side.submit(JniUtils::getNumThreads).get()).isEqualTo(threads);
            assertThat(side.submit(() -> Thread.currentThread().isDaemon()).get()).isTrue();
        } finally {
            side.shutdownNow();
        }
    }

    @Test
    void zeroingThroughTheRecordingIsRefusedWithWhereToDoIt() {
        try (GradientRecording rec = GradientRecording.open()) {
            assertThatThrownBy(rec::zeroGradients).hasMessageContaining("ParameterUpdater");
        }
    }
}

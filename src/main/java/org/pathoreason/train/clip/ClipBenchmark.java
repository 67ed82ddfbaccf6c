package org.pathoreason.train.clip;

import org.pathoreason.engine.GradientRecording;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.clip.ClipConfig;
import org.pathoreason.model.clip.ClipModel;
import org.pathoreason.train.LrSchedule;
import org.pathoreason.train.ParameterUpdater;

/**
 * Times CLIP training steps (forward, symmetric loss, backward, AdamW) of a random model on random inputs, the
 * figure {@code tools/bench_openclip_step.py} measures for OpenCLIP on PyTorch eager with the same sizes, batch and
 * threads. Every text row ends with its end-of-text token at the last context position, so both implementations
 * run the full context.
 */
public final class ClipBenchmark {

    /** What was timed. */
    public record Options(ClipOptions sizes, int vocab, int batch, int warmupSteps, int steps, long seed) {
    }

    /**
     * @param medianSeconds median over the timed steps
     * @param meanSeconds mean over the timed steps
     */
    public record Report(long parameters, double medianSeconds, double meanSeconds, double imagesPerSecond,
            ClipConfig config) {
    }

    private ClipBenchmark() {
    }

    public static Report run(Options o) {
        ClipOptions s = o.sizes();
        ClipConfig config = ClipConfig.vit(s.embedDim(), s.imageSize(), s.patchSize(), s.width(), s.layers(),
                s.heads(), s.contextLength(), o.vocab(), s.textWidth(), s.textLayers(), s.textHeads(), -1);
        SplittableRandom rnd = new SplittableRandom(o.seed());
        float[] pixels = new float[o.batch() * 3 * s.imageSize() * s.imageSize()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rnd.nextGaussian();
        }
        long[][] ids = new long[o.batch()][s.contextLength()];
        for (long[] row : ids) {
            for (int j = 0; j < row.length - 1; j++) {
                row[j] = rnd.nextInt(o.vocab() - 1);
            }
            row[row.length - 1] = o.vocab() - 1; // end of text: the highest id, at the last position
        }
        Engine engine = Engine.getInstance();
        try (ClipModel model = ClipModel.random(config, o.seed());
             NDManager root = Engines.newManager();
             ParameterUpdater updater = new ParameterUpdater(model.parameters(),
                     ClipTrainConfig.defaults().train().adamW(), LrSchedule.constant(1e-4, 0), 0)) {
            NDArray images = root.create(pixels, new Shape(o.batch(), 3, s.imageSize(), s.imageSize()));
            double[] times = new double[o.steps()];
            for (int i = 0; i < o.warmupSteps() + o.steps(); i++) {
                long t0 = System.nanoTime();
                try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
                    NDArray loss = ClipLoss.symmetric(model, images, ids, step);
                    gc.backward(loss);
                }
                updater.step(1.0);
                model.clampLogitScale(Math.log(100));
                if (i >= o.warmupSteps()) {
                    times[i - o.warmupSteps()] = (System.nanoTime() - t0) / 1e9;
                }
            }
            double[] sorted = times.clone();
            Arrays.sort(sorted);
            double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
            double mean = Arrays.stream(times).average().orElse(Double.NaN);
            return new Report(model.parameterCount(), median, mean, o.batch() / median, config);
        }
    }
}

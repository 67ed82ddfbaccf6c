package org.pathoreason.train;

import org.pathoreason.engine.GradientRecording;

import org.pathoreason.data.synth.SynthGenerator;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.data.synth.TileRenderer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.pathoreason.engine.Engines;
import org.pathoreason.engine.Scalars;
import org.pathoreason.util.Progress;

/**
 * Measures whether each finding can be seen in the rendered pixels: renders a fresh set of tiles from the world
 * (uniform diagnoses, uniform optional-finding combinations), trains a small convolutional network to predict every
 * finding at once (multi-label), and scores each finding on held-out tiles. Besides plain and balanced accuracy it
 * reports a <em>conditional</em> balanced accuracy for optional findings, over tiles of the diagnoses where the
 * finding is optional: there the diagnosis gives nothing away, so only the pixels can tell.
 */
public final class FindingProbe {

    /**
     * Probe settings.
     *
     * @param imageSize tile side in pixels
     * @param trainImages tiles to train on
     * @param testImages held-out tiles to score
     * @param epochs passes over the training tiles (fewer if {@code maxMinutes} runs out)
     * @param batchSize tiles per step
     * @param learningRate Adam learning rate (divided by 5 for the last third of the steps)
     * @param seed seed of the tiles, the network initialisation order and the batch order
     * @param renderThreads threads that render tiles
     * @param maxMinutes stop training after this long
     */
    public record Options(int imageSize, int trainImages, int testImages, int epochs, int batchSize,
            double learningRate, long seed, int renderThreads, double maxMinutes) {

        public Options {
            if (trainImages < batchSize || testImages < 1 || epochs < 1 || batchSize < 1) {
                throw new IllegalArgumentException("probe needs trainImages >= batchSize >= 1, testImages >= 1 and "
                        + "epochs >= 1");
            }
        }

        public static Options defaults() {
            return new Options(112, 6000, 1500, 12, 64, 2e-3, 1, Runtime.getRuntime().availableProcessors(), 10);
        }
    }

    /** How well one finding is recognised on the held-out tiles. */
    public record Score(String finding, int positives, int negatives, double accuracy, double balancedAccuracy,
            int conditionalTiles, double conditionalBalancedAccuracy) {
    }

    /** The probe's result. */
    public record Report(List<Score> scores, int epochs, double trainSeconds, double renderSeconds,
            double finalLoss) {

        /** A plain-text table. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-26s %5s %5s %8s %9s %11s%n", "finding", "pos", "neg", "acc",
                    "bal.acc", "cond.bal.acc"));
            for (Score s : scores) {
                String cond = s.conditionalTiles() > 0
                        ? String.format(Locale.ROOT, "%6.1f%% (%d)", 100 * s.conditionalBalancedAccuracy(),
                        s.conditionalTiles()) : "-";
                sb.append(String.format(Locale.ROOT, "%-26s %5d %5d %7.1f%% %8.1f%% %s%n", s.finding(), s.positives(),
                        s.negatives(), 100 * s.accuracy(), 100 * s.balancedAccuracy(), cond));
            }
            return sb.toString();
        }
    }

    private final SynthWorld world;
    private final Options options;
    private final List<String> findings;

    public FindingProbe(SynthWorld world, Options options) {
        this.world = world;
        this.options = options;
        this.findings = world.findings();
    }

    /** Renders, trains and scores; progress goes to {@code log}. */
    public Report run(PrintStream log) {
        long t0 = System.nanoTime();
        Tiles train = render("probe train", options.trainImages(), 1);
        Tiles test = render("probe test", options.testImages(), 2);
        double renderSeconds = (System.nanoTime() - t0) / 1e9;
        int s = options.imageSize();
        int f = findings.size();
        SequentialBlock net = new SequentialBlock();
        int[] widths = {12, 24, 32, 64, 96};
        for (int i = 0; i < widths.length; i++) {
            net.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                    .setFilters(widths[i]).build());
            net.add(BatchNorm.builder().build());
            net.add(Activation::relu);
            if (i < widths.length - 1) {
                net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            }
        }
        // Average and max pooling side by side: "is there any X" is a max over places, "how much X" an average.
        net.add(new ParallelBlock(list -> new NDList(NDArrays.concat(
                new NDList(list.get(0).singletonOrThrow(), list.get(1).singletonOrThrow()), 1)),
                List.of(Pool.globalAvgPool2dBlock(), Pool.globalMaxPool2dBlock())));
        net.add(Linear.builder().setUnits(f).build());
        int stepsPerEpoch = train.count / options.batchSize();
        int totalSteps = stepsPerEpoch * options.epochs();
        float lr = (float) options.learningRate();
        Tracker schedule = step -> step < totalSteps * 2 / 3 ? lr : lr / 5;
        Engines.start();
        double finalLoss = Double.NaN;
        int epochsRun = 0;
        long trainStart = System.nanoTime();
        try (Model model = Model.newInstance("finding-probe", Device.cpu())) {
            model.setBlock(net);
            // The configured loss is nominal: steps use balancedLoss, which weights rare findings up.
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(schedule).build())
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(options.batchSize(), 3, s, s));
                SplittableRandom order = new SplittableRandom(options.seed() ^ 0xBA7C4L);
                float[] positiveWeight = positiveWeights(train);
                double deadline = options.maxMinutes() * 60;
                for (int epoch = 0; epoch < options.epochs(); epoch++) {
                    int[] perm = permutation(train.count, order);
                    double lossSum = 0;
                    for (int step = 0; step < stepsPerEpoch; step++) {
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            int[] idx = java.util.Arrays.copyOfRange(perm, step * options.batchSize(),
                                    (step + 1) * options.batchSize());
                            NDArray x = m.create(train.batch(idx, order, true), new Shape(idx.length, 3, s, s));
                            NDArray y = m.create(train.labels(idx), new Shape(idx.length, f));
                            try (GradientCollector gc = GradientRecording.open()) {
                                NDArray pred = trainer.forward(new NDList(x)).singletonOrThrow();
                                NDArray loss = balancedLoss(pred, y, m.create(positiveWeight));
                                lossSum += loss.getFloat();
                                gc.backward(loss);
                            }
                            trainer.step();
                        }
                    }
                    epochsRun++;
                    finalLoss = lossSum / stepsPerEpoch;
                    double elapsed = (System.nanoTime() - trainStart) / 1e9;
                    log.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  (%.0f s)%n", epoch + 1, options.epochs(),
                            finalLoss, elapsed);
                    if (elapsed > deadline) {
                        log.println("time limit reached; scoring now");
                        break;
                    }
                }
                float[] scores = predict(trainer, test);
                double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
                return new Report(score(test, scores), epochsRun, trainSeconds, renderSeconds, finalLoss);
            }
        }
    }

    /**
     * Binary cross-entropy on logits with positives weighted by the negative-to-positive ratio of their finding
     * (so rare findings count as much as common ones and a logit of 0 is the balanced decision threshold):
     * {@code mean(w * y * softplus(-x) + (1 - y) * softplus(x))}.
     */
    static NDArray balancedLoss(NDArray logits, NDArray labels, NDArray positiveWeight) {
        NDArray pos = softplus(logits.neg()).mul(labels).mul(positiveWeight);
        NDArray neg = softplus(logits).mul(labels.neg().add(1));
        return pos.add(neg).mean();
    }

    /** log(1 + exp(z)), computed without overflow. */
    private static NDArray softplus(NDArray z) {
        return Scalars.maximum(z, 0f).add(z.abs().neg().exp().add(1).log());
    }

    private float[] positiveWeights(Tiles train) {
        int f = findings.size();
        float[] w = new float[f];
        for (int j = 0; j < f; j++) {
            int pos = 0;
            for (int i = 0; i < train.count; i++) {
                if (train.label[i * f + j] > 0.5f) {
                    pos++;
                }
            }
            w[j] = pos == 0 ? 1f : (float) Math.min(20.0, (train.count - pos) / (double) pos);
        }
        return w;
    }

    private float[] predict(Trainer trainer, Tiles test) {
        int s = options.imageSize();
        int f = findings.size();
        float[] out = new float[test.count * f];
        int b = options.batchSize();
        for (int start = 0; start < test.count; start += b) {
            int n = Math.min(b, test.count - start);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = start + i;
            }
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray x = m.create(test.batch(idx, null, false), new Shape(n, 3, s, s));
                float[] logits = trainer.evaluate(new NDList(x)).singletonOrThrow().toFloatArray();
                System.arraycopy(logits, 0, out, start * f, n * f);
            }
        }
        return out;
    }

    private List<Score> score(Tiles test, float[] logits) {
        int f = findings.size();
        List<Score> out = new ArrayList<>();
        for (int j = 0; j < f; j++) {
            String finding = findings.get(j);
            int[] all = new int[4];
            int[] cond = new int[4];
            for (int i = 0; i < test.count; i++) {
                boolean truth = test.label[i * f + j] > 0.5f;
                boolean said = logits[i * f + j] > 0;
                int cell = (truth ? 0 : 2) + (said == truth ? 0 : 1);
                all[cell]++;
                if (world.optional(test.diagnosis[i]).contains(finding)) {
                    cond[cell]++;
                }
            }
            int pos = all[0] + all[1];
            int neg = all[2] + all[3];
            double acc = (all[0] + all[2]) / (double) test.count;
            int condN = cond[0] + cond[1] + cond[2] + cond[3];
            out.add(new Score(finding, pos, neg, acc, balanced(all), condN, condN > 0 ? balanced(cond) : Double.NaN));
        }
        return out;
    }

    /** Mean of the true-positive and true-negative rates; cells: tp, fn, tn, fp. */
    private static double balanced(int[] c) {
        double tpr = c[0] + c[1] > 0 ? c[0] / (double) (c[0] + c[1]) : Double.NaN;
        double tnr = c[2] + c[3] > 0 ? c[2] / (double) (c[2] + c[3]) : Double.NaN;
        if (Double.isNaN(tpr)) {
            return tnr;
        }
        if (Double.isNaN(tnr)) {
            return tpr;
        }
        return (tpr + tnr) / 2;
    }

    /** Rendered tiles with their labels. */
    private final class Tiles {
        final int count;
        final byte[][] rgb;
        final float[] label;
        final String[] diagnosis;

        Tiles(int count) {
            this.count = count;
            this.rgb = new byte[count][];
            this.label = new float[count * findings.size()];
            this.diagnosis = new String[count];
        }

        float[] labels(int[] idx) {
            int f = findings.size();
            float[] out = new float[idx.length * f];
            for (int i = 0; i < idx.length; i++) {
                System.arraycopy(label, idx[i] * f, out, i * f, f);
            }
            return out;
        }

        /** NCHW floats, normalised; with augmentation, each tile randomly flipped and transposed. */
        float[] batch(int[] idx, SplittableRandom rnd, boolean augment) {
            int s = options.imageSize();
            int plane = s * s;
            float[] out = new float[idx.length * 3 * plane];
            for (int i = 0; i < idx.length; i++) {
                byte[] img = rgb[idx[i]];
                boolean flipX = augment && rnd.nextBoolean();
                boolean flipY = augment && rnd.nextBoolean();
                boolean transpose = augment && rnd.nextBoolean();
                int base = i * 3 * plane;
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        int sx = flipX ? s - 1 - x : x;
                        int sy = flipY ? s - 1 - y : y;
                        int src = transpose ? (sx * s + sy) * 3 : (sy * s + sx) * 3;
                        int dst = base + y * s + x;
                        for (int c = 0; c < 3; c++) {
                            out[dst + c * plane] = ((img[src + c] & 0xff) / 255f - 0.5f) * 4f;
                        }
                    }
                }
            }
            return out;
        }
    }

    private Tiles render(String task, int n, int stream) {
        Tiles tiles = new Tiles(n);
        TileRenderer renderer = new TileRenderer(options.imageSize());
        SplittableRandom rnd = new SplittableRandom(SynthGenerator.mix(options.seed(), 1000 + stream));
        List<List<List<String>>> combos = new ArrayList<>();
        for (String d : world.diagnoses()) {
            combos.add(world.optionalCombinations(d));
        }
        List<Set<String>> visible = new ArrayList<>(n);
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            int d = rnd.nextInt(world.diagnoses().size());
            tiles.diagnosis[i] = world.diagnoses().get(d);
            Set<String> v = new LinkedHashSet<>(world.required(tiles.diagnosis[i]));
            v.addAll(SynthWorld.pick(combos.get(d), rnd));
            visible.add(v);
            for (int j = 0; j < findings.size(); j++) {
                tiles.label[i * findings.size() + j] = v.contains(findings.get(j)) ? 1f : 0f;
            }
            seeds[i] = rnd.nextLong();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.renderThreads()));
        try (Progress.Task bar = Progress.bar(task, n, "img")) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> {
                    BufferedImage img = renderer.render(world.drawable(visible.get(k)), seeds[k]);
                    int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
                    byte[] bytes = new byte[px.length * 3];
                    for (int p = 0; p < px.length; p++) {
                        bytes[3 * p] = (byte) (px[p] >> 16);
                        bytes[3 * p + 1] = (byte) (px[p] >> 8);
                        bytes[3 * p + 2] = (byte) px[p];
                    }
                    tiles.rgb[k] = bytes;
                    bar.step();
                    return null;
                }));
            }
            for (Future<?> fu : futures) {
                fu.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("probe rendering failed: " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
        return tiles;
    }

    private static int[] permutation(int n, SplittableRandom rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}

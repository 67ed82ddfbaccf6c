package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.ModelRegistry;
import org.pathoreason.model.ParameterGroup;
import org.pathoreason.model.VisionLanguageModel;
import org.pathoreason.model.WeightPrecision;
import org.pathoreason.model.half.HalfKernels;
import org.pathoreason.model.io.DType;

/**
 * The 16-bit route ({@link WeightPrecision#HALF}: weight matrices memory-mapped, products by the {@link HalfKernels})
 * against the float32 model on the same 16-bit weights (the checkpoint widened by {@link WeightPrecision#FLOAT32}).
 *
 * <p>Tolerance: both routes multiply exactly the same float32 values (a BF16/F16 value widens exactly), so they
 * differ only in the order of the float32 sums (the kernels' lanes and blocks against PyTorch's GEMM), about
 * {@code 2^-24 * sqrt(terms)} relative per product. Through the vision tower, the merger and two decoder layers the
 * differences measured 1.2e-6 to 2.4e-6 of the largest logit (Vector API kernels, Java 25; 0 to 1.4e-6 with the
 * plain Java ones on Java 17; the 144-patch image takes the widened route in the vision tower); the bound asserted,
 * {@code 1e-4 * max |logit|}, leaves room for other machines' vector widths while any real error (a wrong row, a
 * missing bias, a transposed matrix, a 16-bit rounding of activations at 2^-8) is far above it.
 */
class Qwen2VLHalfTest {

    static final double TOLERANCE = 1e-4;
    static NDManager root;
    static Qwen2VLModel source;
    static Qwen2VLModel sourceOdd;

    @BeforeAll
    static void setUp() {
        root = Engines.newManager();
        source = Qwen2VLModel.random(TinyModels.config(false), 21, root);
        sourceOdd = Qwen2VLModel.random(oddConfig(), 22, root);
    }

    @AfterAll
    static void tearDown() {
        sourceOdd.close();
        source.close();
        root.close();
    }

    /**
     * Sizes that are no multiple of any vector length: vocabulary 101 (rows of the table and of lm_head), MLP widths
     * 355 and 131 (rows of gate/up, columns of down), tied embeddings.
     */
    static Qwen2VLConfig oddConfig() {
        Qwen2VLConfig c = TinyModels.config(true);
        Qwen2VLConfig.VisionConfig v = c.vision();
        Qwen2VLConfig.TextConfig t = c.text();
        return new Qwen2VLConfig(
                new Qwen2VLConfig.VisionConfig(v.depth(), v.hiddenSize(), 131, v.numHeads(), v.outHiddenSize(),
                        v.patchSize(), v.spatialMergeSize(), v.temporalPatchSize(), v.windowSize(),
                        v.fullAttentionBlocks(), v.inChannels(), v.tokensPerSecond(), v.initializerRange()),
                new Qwen2VLConfig.TextConfig(101, t.hiddenSize(), 355, t.numLayers(), t.numHeads(), t.numKvHeads(),
                        t.rmsNormEps(), t.ropeTheta(), t.mropeSection(), true, t.maxPositionEmbeddings(),
                        t.initializerRange()),
                c.tokens());
    }

    static Path write(Qwen2VLModel model, Path dir, DType dtype) throws Exception {
        java.nio.file.Files.createDirectories(dir);
        model.weights(dtype).writeSharded(dir, 300_000); // several shards: matrices come from different files
        model.config().write(dir.resolve("config.json"));
        return dir;
    }

    /** A prompt with an image of {@code grid}; 144 patches exceed {@link Linear.Mapped#WIDEN_ROWS} (64). */
    static ModelInput input(int[] grid) {
        return new ModelInput(new long[][] {TinyModels.prompt(grid, new long[] {1, 2, 3}, new long[] {4, 5})}, null,
                TinyModels.patches(grid, 5), List.of(grid));
    }

    static float[] logits(Qwen2VLModel m, ModelInput input) {
        try (NDManager step = root.newSubManager()) {
            return m.logits(input, step).toFloatArray();
        }
    }

    /** Largest difference over the largest magnitude of {@code expected}. */
    static double relativeError(float[] expected, float[] actual) {
        assertThat(actual).hasSameSizeAs(expected);
        double diff = 0;
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
            max = Math.max(max, Math.abs(expected[i]));
        }
        return diff / max;
    }

    private void sameLogits(Qwen2VLModel model, Path dir, DType dtype) throws Exception {
        write(model, dir, dtype);
        try (Qwen2VLModel wide = Qwen2VLModel.load(dir, root, WeightPrecision.FLOAT32);
             Qwen2VLModel half = Qwen2VLModel.load(dir, root, WeightPrecision.AUTO)) {
            assertThat(wide.isMapped()).isFalse();
            assertThat(half.isMapped()).isTrue();
            assertThat(half.footprint().storage()).startsWith(dtype.safetensorsName() + " memory-mapped");
            for (int[] grid : List.of(new int[] {1, 4, 8}, new int[] {1, 12, 12})) {
                ModelInput in = input(grid);
                float[] expected = logits(wide, in);
                float[] actual = logits(half, in);
                double err = relativeError(expected, actual);
                assertThat(err).as("%s, image grid %dx%d: max |half - float32| / max |logit| = %.2e", dtype,
                        grid[1], grid[2], err).isLessThan(TOLERANCE);
                // the 16-bit rounding itself is far larger: the original float32 model differs visibly
                if (model == source) {
                    assertThat(relativeError(logits(model, in), actual)).isGreaterThan(10 * TOLERANCE);
                }
            }
        }
    }

    @Test
    void bf16LogitsMatchTheFloat32ModelOnTheSameWeights(@TempDir Path dir) throws Exception {
        sameLogits(source, dir, DType.BF16);
    }

    @Test
    void f16LogitsMatchTheFloat32ModelOnTheSameWeights(@TempDir Path dir) throws Exception {
        sameLogits(source, dir, DType.F16);
    }

    @Test
    void oddSizesMatchToo(@TempDir Path dir) throws Exception {
        sameLogits(sourceOdd, dir, DType.BF16);
    }

    /** Greedy tokens from prefill then decode steps (the kernels' one-row route), with the logits of every step. */
    static List<Long> greedy(Qwen2VLModel m, ModelInput prompt, int steps, List<float[]> stepLogits) {
        List<Long> out = new ArrayList<>();
        try (NDManager step = root.newSubManager()) {
            KvCache cache = m.newCache(1, prompt.length() + steps, step);
            NDArray logits = m.prefill(prompt, cache, step);
            for (int s = 0; s < steps; s++) {
                float[] l = logits.toFloatArray();
                stepLogits.add(l);
                long next = argmax(l);
                out.add(next);
                logits = m.decode(new long[] {next}, cache, step);
            }
        }
        return out;
    }

    static long argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void greedyGenerationGivesTheSameTokens(@TempDir Path dir) throws Exception {
        write(source, dir, DType.BF16);
        ModelInput prompt = input(new int[] {1, 4, 4});
        try (Qwen2VLModel wide = Qwen2VLModel.load(dir, root, WeightPrecision.FLOAT32);
             Qwen2VLModel half = Qwen2VLModel.load(dir, root, WeightPrecision.HALF)) {
            List<float[]> wideLogits = new ArrayList<>();
            List<float[]> halfLogits = new ArrayList<>();
            List<Long> expected = greedy(wide, prompt, 12, wideLogits);
            List<Long> actual = greedy(half, prompt, 12, halfLogits);
            assertThat(actual).containsExactlyElementsOf(expected);
            assertThat(expected.stream().distinct().count()).as("the tokens vary: a real sequence").isGreaterThan(1);
            for (int s = 0; s < wideLogits.size(); s++) {
                assertThat(relativeError(wideLogits.get(s), halfLogits.get(s))).as("step %d", s)
                        .isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void autoKeepsFloat32CheckpointsInFloat32AndHalfMapsThemAsStored(@TempDir Path dir) throws Exception {
        write(source, dir, DType.F32);
        try (VisionLanguageModel auto = ModelRegistry.load(dir, VisionLanguageModel.class, root,
                WeightPrecision.AUTO);
             Qwen2VLModel mapped = Qwen2VLModel.load(dir, root, WeightPrecision.HALF)) {
            assertThat(((Qwen2VLModel) auto).isMapped()).isFalse();
            assertThat(mapped.isMapped()).isTrue();
            ModelInput in = input(new int[] {1, 4, 8});
            assertThat(relativeError(logits(source, in), logits(mapped, in))).isLessThan(TOLERANCE);
        }
    }

    @Test
    void halfModelHoldsTheMatricesMappedNotAsArrays(@TempDir Path dir) throws Exception {
        write(source, dir, DType.BF16);
        try (Qwen2VLModel half = Qwen2VLModel.load(dir, root, WeightPrecision.AUTO);
             Qwen2VLModel wide = Qwen2VLModel.load(dir, root, WeightPrecision.FLOAT32)) {
            assertThat(half.footprint().parameters()).isEqualTo(wide.footprint().parameters());
            // the matrices in 2 bytes, the rest (norms, biases, patch embedding) in 4: a little over half
            double ratio = half.footprint().bytes() / (double) wide.footprint().bytes();
            assertThat(ratio).isBetween(0.5, 0.6);
            assertThat(half.decodeWeightBytes() * 2).isEqualTo(wide.decodeWeightBytes());
        }
    }

    @Test
    void halfModelRefusesTrainingMergingAndSavingNamingFloat32(@TempDir Path dir) throws Exception {
        write(source, dir, DType.BF16);
        try (Qwen2VLModel half = Qwen2VLModel.load(dir, root, WeightPrecision.AUTO)) {
            for (org.assertj.core.api.ThrowableAssert.ThrowingCallable c : List.<
                    org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(half::parameters,
                    half::trainableParameters, () -> half.setFrozen(ParameterGroup.LANGUAGE, false),
                    () -> half.save(dir.resolve("out")))) {
                assertThatThrownBy(c).isInstanceOf(ModelException.class)
                        .hasMessageContaining("16-bit memory-mapped weights")
                        .hasMessageContaining("WeightPrecision.FLOAT32");
            }
        }
    }

    @Test
    void aBf16CheckpointOpenedForTrainingIsFloat32AndTrains(@TempDir Path dir) throws Exception {
        write(source, dir, DType.BF16);
        try (Qwen2VLModel wide = Qwen2VLModel.load(dir, root, WeightPrecision.FLOAT32)) {
            assertThat(wide.trainableParameters()).isNotEmpty();
            assertThat(wide.parameters().get("model.layers.0.mlp.up_proj.weight").getDataType())
                    .isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
        }
    }

    @Test
    void decodeSpeedRunsOnTheMappedModelAndTheFloorCountsItsBytes(@TempDir Path dir) throws Exception {
        write(source, dir, DType.BF16);
        try (Qwen2VLModel half = Qwen2VLModel.load(dir, root, WeightPrecision.AUTO)) {
            var d = org.pathoreason.model.half.KernelBenchmark.decode(half, 5, 3, root);
            assertThat(d.steps()).isEqualTo(3);
            assertThat(d.msPerToken()).isPositive();
            Qwen2VLConfig.TextConfig t = source.config().text();
            long kv = (long) t.numKvHeads() * t.headDim();
            long perLayer = (long) t.hiddenSize() * (2L * t.hiddenSize() + 2 * kv) + 3L * t.hiddenSize()
                    * t.intermediateSize();
            assertThat(half.decodeWeightBytes()).isEqualTo(2 * (t.numLayers() * perLayer
                    + (long) t.vocabSize() * t.hiddenSize())); // untied: lm_head read whole, the table one row
        }
    }

    @Test
    void anAdapterCannotBeMergedIntoMappedWeights() {
        org.pathoreason.model.Adapter adapter = new org.pathoreason.model.Adapter() {
            @Override
            public Path source() {
                return Path.of("adapter");
            }

            @Override
            public void mergeInto(VisionLanguageModel model, Path baseDir) {
            }
        };
        assertThat(org.pathoreason.model.CheckpointBundle.Options.adapter(adapter).weights())
                .isEqualTo(WeightPrecision.AUTO);
        assertThatThrownBy(() -> org.pathoreason.model.CheckpointBundle.Options.adapter(adapter)
                .withWeights(WeightPrecision.HALF)).isInstanceOf(ModelException.class)
                .hasMessageContaining("WeightPrecision.HALF");
    }
}

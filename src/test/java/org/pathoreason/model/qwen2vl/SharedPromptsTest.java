package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.engine.GradientRecording;
import org.pathoreason.engine.Scalars;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.PromptedCompletions;

/**
 * Prompts shared by several rows run once: completions scored under them give the log-probs and gradients of running
 * every prompt + completion row on its own, and a prefill that copies a prompt's keys into several cache rows
 * decodes as a prefill of the repeated rows does; a prefix every row of a training batch begins with runs once.
 */
class SharedPromptsTest {

    static NDManager root;
    static Qwen2VLModel model;

    static final int[] GRID_A = {1, 4, 4};
    static final int[] GRID_B = {1, 6, 8};
    static final long[] PROMPT_A = TinyModels.prompt(GRID_A, new long[] {1, 2, 3}, new long[] {4, 5});
    static final long[] PROMPT_B = TinyModels.prompt(GRID_B, new long[] {6}, new long[] {7});
    static final float[] PIXELS_A = TinyModels.patches(GRID_A, 21);
    static final float[] PIXELS_B = TinyModels.patches(GRID_B, 22);
    /** Rows 0, 1 and 3 answer prompt A, row 2 prompt B; lengths 3, 5, 2, 4. */
    static final int[] PROMPT_OF = {0, 0, 1, 0};
    static final long[][] COMPLETIONS = {{10, 11, 12}, {13, 14, 15, 16, 17}, {18, 19}, {20, 21, 22, 23}};

    @BeforeAll
    static void setUp() {
        root = Engines.newManager();
        model = Qwen2VLModel.random(TinyModels.config(false), 31, root);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        root.close();
    }

    static final List<String> GRADIENT_CHECKED = List.of("model.layers.0.self_attn.q_proj.weight",
            "model.layers.1.mlp.down_proj.weight", "model.embed_tokens.weight", "visual.blocks.1.attn.qkv.weight");

    /** The accumulated gradients now equal {@code shared} within 1e-4 of the largest; then zeroed. */
    static void assertSameGradients(List<String> names, List<float[]> shared) {
        for (int i = 0; i < names.size(); i++) {
            float[] separate = model.parameters().get(names.get(i)).getGradient().toFloatArray();
            float max = 0;
            float diff = 0;
            for (int j = 0; j < separate.length; j++) {
                max = Math.max(max, Math.abs(separate[j]));
                diff = Math.max(diff, Math.abs(separate[j] - shared.get(i)[j]));
            }
            assertThat(max).as(names.get(i)).isGreaterThan(0f);
            assertThat(diff / max).as(names.get(i)).isLessThan(1e-4f);
        }
        model.zeroGradients();
    }

    static PromptedCompletions batch() {
        ModelInput prompts = ModelInput.padded(List.of(PROMPT_A, PROMPT_B), 0, true,
                ModelInput.concatPatches(List.of(PIXELS_A, PIXELS_B)), List.of(GRID_A, GRID_B));
        long[][] padded = new long[COMPLETIONS.length][5];
        int[] lengths = new int[COMPLETIONS.length];
        for (int r = 0; r < padded.length; r++) {
            System.arraycopy(COMPLETIONS[r], 0, padded[r], 0, COMPLETIONS[r].length);
            lengths[r] = COMPLETIONS[r].length;
        }
        return new PromptedCompletions(prompts, PROMPT_OF, padded, lengths);
    }

    /** Row r's prompt + completion alone. */
    static ModelInput alone(int r) {
        boolean a = PROMPT_OF[r] == 0;
        long[] prompt = a ? PROMPT_A : PROMPT_B;
        long[] ids = Arrays.copyOf(prompt, prompt.length + COMPLETIONS[r].length);
        System.arraycopy(COMPLETIONS[r], 0, ids, prompt.length, COMPLETIONS[r].length);
        return new ModelInput(new long[][] {ids}, null, a ? PIXELS_A : PIXELS_B, List.of(a ? GRID_A : GRID_B));
    }

    /** log_softmax(logits / temperature) of row r's completion tokens, run alone with the full forward. */
    static NDArray aloneLogProbs(int r, double temperature, NDManager step) {
        ModelInput in = alone(r);
        int first = in.length() - COMPLETIONS[r].length;
        NDArray logits = model.logits(in, step).get(new NDIndex(":, {}:{}", first - 1, in.length() - 1));
        NDArray lp = Scalars.div(logits, (float) temperature).logSoftmax(-1);
        NDArray index = step.create(COMPLETIONS[r]).reshape(1, COMPLETIONS[r].length, 1);
        return lp.gather(index, 2).reshape(COMPLETIONS[r].length);
    }

    @Test
    void sharedPromptsGiveTheLogProbsOfEachRowAlone() {
        for (double temperature : new double[] {1.0, 0.6}) {
            try (NDManager step = root.newSubManager()) {
                NDArray shared = model.completionLogProbs(batch(), temperature, step);
                assertThat(shared.getShape().getShape()).containsExactly(4, 5);
                for (int r = 0; r < COMPLETIONS.length; r++) {
                    NDArray mine = shared.get(new NDIndex("{}, :{}", r, COMPLETIONS[r].length));
                    assertThat(Qwen2VLModelTest.maxAbsDiff(mine, aloneLogProbs(r, temperature, step)))
                            .as("row %d at temperature %s", r, temperature)
                            .isLessThan(Qwen2VLModelTest.SAME);
                }
            }
        }
    }

    @Test
    void gradientsThroughASharedPromptAreTheSumOfTheRowsGradients() {
        List<String> names = GRADIENT_CHECKED;
        model.zeroGradients();
        try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
            PromptedCompletions b = batch();
            NDArray lp = model.completionLogProbs(b, 0.6, step);
            float[] mask = new float[4 * 5];
            for (int r = 0; r < 4; r++) {
                Arrays.fill(mask, r * 5, r * 5 + b.lengths()[r], 1f);
            }
            gc.backward(lp.mul(step.create(mask, lp.getShape())).sum());
        }
        List<float[]> shared = names.stream().map(n -> model.parameters().get(n).getGradient().toFloatArray())
                .toList();
        model.zeroGradients();
        for (int r = 0; r < COMPLETIONS.length; r++) {
            try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
                gc.backward(aloneLogProbs(r, 0.6, step).sum()); // PyTorch adds each row's gradient to the last
            }
        }
        assertSameGradients(names, shared);
    }

    @Test
    void aSingleColumnNeedsOnlyThePrompts() {
        ModelInput prompts = ModelInput.padded(List.of(PROMPT_A), 0, true, PIXELS_A, List.of(GRID_A));
        try (NDManager step = root.newSubManager()) {
            NDArray lp = model.completionLogProbs(new PromptedCompletions(prompts, new int[] {0, 0},
                    new long[][] {{10}, {13}}, new int[] {1, 1}), 1.0, step);
            assertThat(Qwen2VLModelTest.maxAbsDiff(lp.get(new NDIndex("0, :1")), aloneLogProbs(0, 1.0, step)
                    .get(new NDIndex(":1")))).isLessThan(Qwen2VLModelTest.SAME);
            assertThat(Qwen2VLModelTest.maxAbsDiff(lp.get(new NDIndex("1, :1")), aloneLogProbs(1, 1.0, step)
                    .get(new NDIndex(":1")))).isLessThan(Qwen2VLModelTest.SAME);
        }
    }

    @Test
    void aSharedPrefillDecodesAsTheRepeatedRowsDo() {
        ModelInput distinct = ModelInput.padded(List.of(PROMPT_A, PROMPT_B), 0, true,
                ModelInput.concatPatches(List.of(PIXELS_A, PIXELS_B)), List.of(GRID_A, GRID_B));
        ModelInput repeated = ModelInput.padded(List.of(PROMPT_A, PROMPT_A, PROMPT_B, PROMPT_A), 0, true,
                ModelInput.concatPatches(List.of(PIXELS_A, PIXELS_A, PIXELS_B, PIXELS_A)),
                List.of(GRID_A, GRID_A, GRID_B, GRID_A));
        int capacity = repeated.length() + 3;
        try (NDManager step = root.newSubManager();
             KvCache shared = model.newCache(4, capacity, step);
             KvCache plain = model.newCache(4, capacity, step)) {
            NDArray a = model.prefill(distinct, PROMPT_OF, shared, step);
            NDArray b = model.prefill(repeated, plain, step);
            assertThat(Qwen2VLModelTest.maxAbsDiff(a, b)).isLessThan(Qwen2VLModelTest.SAME);
            assertThat(shared.positionOffsets()).containsExactly(plain.positionOffsets());
            for (long[] tokens : new long[][] {{10, 13, 18, 20}, {11, 14, 19, 21}}) {
                NDArray da = model.decode(tokens, shared, step);
                NDArray db = model.decode(tokens, plain, step);
                assertThat(Qwen2VLModelTest.maxAbsDiff(da, db)).isLessThan(Qwen2VLModelTest.SAME);
            }
            assertThatThrownBy(() -> model.prefill(distinct, new int[] {0, 2, 1, 0}, model.newCache(4, capacity,
                    step), step)).isInstanceOf(ModelException.class).hasMessageContaining("row 1 points at prompt 2");
        }
    }

    /** An SFT-like row: a 10-token system prefix all rows share, then its own image, question and answer. */
    static long[] trainingRow(int[] grid, long[] question, long[] answer) {
        long[] system = {30, 31, 32, 33, 34, 35, 36, 37, 38, 39};
        long[] prompt = TinyModels.prompt(grid, system, question);
        long[] row = Arrays.copyOf(prompt, prompt.length + answer.length);
        System.arraycopy(answer, 0, row, prompt.length, answer.length);
        return row;
    }

    @Test
    void aPrefixEveryTrainingRowSharesRunsOnceWithTheRowsValuesAndGradients() {
        List<long[]> rows = List.of(trainingRow(GRID_A, new long[] {4, 5}, new long[] {10, 11, 12}),
                trainingRow(GRID_B, new long[] {6}, new long[] {13, 14, 15, 16, 17}),
                trainingRow(GRID_A, new long[] {7, 8, 9}, new long[] {18, 19}));
        List<float[]> pixels = List.of(PIXELS_A, PIXELS_B, TinyModels.patches(GRID_A, 23));
        List<int[]> grids = List.of(GRID_A, GRID_B, GRID_A);
        ModelInput batch = ModelInput.padded(rows, 0, false, ModelInput.concatPatches(pixels), grids);
        int first = 12; // every row's answer starts after column 12: columns 11 on are scored
        List<String> names = GRADIENT_CHECKED;
        model.zeroGradients();
        float[] together;
        try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
            NDArray lp = model.tokenLogProbs(batch, first, step);
            int n = batch.length() - first;
            float[] mask = new float[rows.size() * n];
            for (int r = 0; r < rows.size(); r++) {
                for (int j = 0; j < n; j++) {
                    mask[r * n + j] = batch.attentionMask()[r][first + j];
                }
            }
            gc.backward(lp.mul(step.create(mask, lp.getShape())).sum());
            together = lp.toFloatArray();
        }
        List<float[]> shared = names.stream().map(n -> model.parameters().get(n).getGradient().toFloatArray())
                .toList();
        model.zeroGradients();
        int n = batch.length() - first;
        for (int r = 0; r < rows.size(); r++) {
            ModelInput alone = new ModelInput(new long[][] {rows.get(r)}, null, pixels.get(r), List.of(grids.get(r)));
            try (NDManager step = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
                NDArray lp = model.tokenLogProbs(alone, first, step); // one row: nothing shared
                float[] values = lp.toFloatArray();
                for (int j = 0; j < values.length; j++) {
                    assertThat(Math.abs(values[j] - together[r * n + j])).as("row %d column %d", r, j)
                            .isLessThan(Qwen2VLModelTest.SAME);
                }
                gc.backward(lp.sum());
            }
        }
        assertSameGradients(names, shared);
    }

    @Test
    void malformedBatchesNameWhatIsWrong() {
        ModelInput prompts = ModelInput.padded(List.of(PROMPT_A), 0, true, PIXELS_A, List.of(GRID_A));
        assertThatThrownBy(() -> new PromptedCompletions(prompts, new int[] {1}, new long[][] {{1}}, new int[] {1}))
                .isInstanceOf(ModelException.class).hasMessageContaining("points at prompt 1 of 1");
        assertThatThrownBy(() -> new PromptedCompletions(prompts, new int[] {0, 0}, new long[][] {{1, 2}, {3}},
                new int[] {2, 1})).isInstanceOf(ModelException.class).hasMessageContaining("row 1 has 1 columns");
        ModelInput right = ModelInput.padded(List.of(PROMPT_A, new long[] {1}), 0, false, PIXELS_A, List.of(GRID_A));
        assertThatThrownBy(() -> new PromptedCompletions(right, new int[] {0}, new long[][] {{1}}, new int[] {1}))
                .isInstanceOf(ModelException.class).hasMessageContaining("left-padded");
    }
}

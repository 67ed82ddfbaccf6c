package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.ModelInput;

class Qwen2VLModelTest {

    static NDManager root;
    static Qwen2VLModel model;

    @BeforeAll
    static void setUp() {
        root = Engines.newManager();
        model = Qwen2VLModel.random(TinyModels.config(false), 7, root);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        root.close();
    }

    /**
     * Largest logit difference counted as the same result: the compared passes multiply differently shaped matrices,
     * so float32 sums run in another order (1.3e-5 seen on an AVX-512 AMD EPYC, under 1e-5 on Intel).
     */
    static final float SAME = 5e-5f;

    static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void randomInitialisationFollowsTheSeedAndTheRules() {
        try (Qwen2VLModel again = Qwen2VLModel.random(TinyModels.config(false), 7, root);
             Qwen2VLModel other = Qwen2VLModel.random(TinyModels.config(false), 8, root)) {
            String w = "model.layers.1.self_attn.q_proj.weight";
            assertThat(again.parameters().get(w).toFloatArray()).containsExactly(model.parameters().get(w).toFloatArray());
            assertThat(other.parameters().get(w).toFloatArray()).isNotEqualTo(model.parameters().get(w).toFloatArray());
            assertThat(model.parameters().get("visual.blocks.0.norm1.weight").toFloatArray()).containsOnly(1f);
            assertThat(model.parameters().get("visual.blocks.0.attn.qkv.bias").toFloatArray()).containsOnly(0f);
            float std = (float) Math.sqrt(model.parameters().get(w).square().mean().getFloat());
            assertThat(std).isBetween(0.14f, 0.16f);
            assertThat(model.parameters().get("visual.patch_embed.proj.weight").getShape().getShape())
                    .containsExactly(64, 3, 2, 14, 14);
        }
    }

    @Test
    void imagesChangeTheLogitsAndAreEncodedIndependentlyOfTheirBatch() {
        int[] a = {1, 6, 8};   // 3 x 4 merged tokens: unequal windows
        int[] b = {1, 8, 8};   // 4 x 4 merged tokens: four equal windows
        long[] pa = TinyModels.prompt(a, new long[] {1, 2}, new long[] {3});
        long[] pb = TinyModels.prompt(b, new long[] {4}, new long[] {5, 6});
        float[] xa = TinyModels.patches(a, 1);
        float[] xb = TinyModels.patches(b, 2);
        try (NDManager step = root.newSubManager()) {
            NDArray alone = model.logits(new ModelInput(new long[][] {pa}, null, xa, List.of(a)), step);
            NDArray batch = model.logits(ModelInput.padded(List.of(pa, pb), 0, false,
                    ModelInput.concatPatches(List.of(xa, xb)), List.of(a, b)), step);
            NDArray first = batch.get(new NDIndex("0:1, :{}", pa.length));
            assertThat(maxAbsDiff(alone, first)).isLessThan(SAME);
            float[] other = TinyModels.patches(a, 3);
            NDArray changed = model.logits(new ModelInput(new long[][] {pa}, null, other, List.of(a)), step);
            assertThat(maxAbsDiff(alone, changed)).isGreaterThan(1e-2f);
            // text before the image does not see it
            assertThat(maxAbsDiff(alone.get(new NDIndex(":, :3")), changed.get(new NDIndex(":, :3")))).isZero();
        }
    }

    @Test
    void repeatedImagesAreEncodedOnceWithTheLogitsAndGradientsOfSeparateCopies() {
        int[] a = {1, 4, 4};
        int[] b = {1, 6, 8};
        long[] pa = TinyModels.prompt(a, new long[] {1, 2}, new long[] {3, 4});
        long[] pb = TinyModels.prompt(b, new long[] {5}, new long[] {6});
        float[] xa = TinyModels.patches(a, 11);
        float[] xb = TinyModels.patches(b, 12);
        // a GRPO-like batch: image a three times (copies of its array), image b between
        ModelInput batch = ModelInput.padded(List.of(pa, pb, pa, pa), 0, false,
                ModelInput.concatPatches(List.of(xa, xb, xa.clone(), xa)), List.of(a, b, a, a));
        String visionWeight = "visual.blocks.1.attn.qkv.weight";
        try (NDManager step = root.newSubManager()) {
            NDArray aloneA = model.logits(new ModelInput(new long[][] {pa}, null, xa, List.of(a)), step);
            NDArray aloneB = model.logits(new ModelInput(new long[][] {pb}, null, xb, List.of(b)), step);
            NDArray all = model.logits(batch, step);
            for (int r : new int[] {0, 2, 3}) {
                assertThat(maxAbsDiff(all.get(new NDIndex("{}:{}, :{}", r, r + 1, pa.length)), aloneA))
                        .isLessThan(SAME);
            }
            assertThat(maxAbsDiff(all.get(new NDIndex("1:2, :{}", pb.length)), aloneB)).isLessThan(SAME);
        }
        // the gradient reaching the vision tower is that of four separate encodings
        float[] together = visionGradient(batch, visionWeight);
        float[] separate = new float[together.length];
        for (int r = 0; r < 4; r++) {
            long[] p = r == 1 ? pb : pa;
            float[] g = visionGradient(new ModelInput(new long[][] {p}, null, r == 1 ? xb : xa, List.of(r == 1 ? b : a)),
                    visionWeight);
            for (int i = 0; i < g.length; i++) {
                separate[i] += g[i];
            }
        }
        float max = 0;
        float diff = 0;
        for (int i = 0; i < together.length; i++) {
            max = Math.max(max, Math.abs(separate[i]));
            diff = Math.max(diff, Math.abs(separate[i] - together[i]));
        }
        assertThat(max).isGreaterThan(0f);
        assertThat(diff / max).isLessThan(1e-4f);
    }

    /** The gradient of one parameter for the sum of a batch's log-probs from column 1 on. */
    private static float[] visionGradient(ModelInput input, String parameter) {
        model.zeroGradients();
        try (NDManager step = root.newSubManager();
             ai.djl.training.GradientCollector gc = org.pathoreason.engine.GradientRecording.open()) {
            NDArray lp = model.tokenLogProbs(input, 1, step);
            float[] mask = new float[input.batchSize() * (input.length() - 1)];
            for (int r = 0; r < input.batchSize(); r++) {
                for (int j = 1; j < input.length(); j++) {
                    mask[r * (input.length() - 1) + j - 1] = input.attentionMask()[r][j];
                }
            }
            gc.backward(lp.mul(step.create(mask, lp.getShape())).sum());
        }
        try (NDArray g = model.parameters().get(parameter).getGradient()) {
            return g.toFloatArray();
        } finally {
            model.zeroGradients();
        }
    }

    @Test
    void paddedBatchEqualsEachSampleAlone() {
        int[] g = {1, 4, 4};
        long[] p1 = TinyModels.prompt(g, new long[] {1, 2, 3}, new long[] {4, 5, 6, 7});
        long[] p2 = {8, 9, 10, 11, 12};
        long[] p3 = TinyModels.prompt(g, new long[] {13}, new long[] {14});
        float[] x1 = TinyModels.patches(g, 4);
        float[] x3 = TinyModels.patches(g, 5);
        try (NDManager step = root.newSubManager()) {
            NDArray l1 = model.logits(new ModelInput(new long[][] {p1}, null, x1, List.of(g)), step);
            NDArray l2 = model.logits(ModelInput.text(p2), step);
            NDArray l3 = model.logits(new ModelInput(new long[][] {p3}, null, x3, List.of(g)), step);
            float[] patches = ModelInput.concatPatches(List.of(x1, x3));
            for (boolean left : new boolean[] {false, true}) {
                ModelInput batch = ModelInput.padded(List.of(p1, p2, p3), 0, left, patches, List.of(g, g));
                NDArray all = model.logits(batch, step);
                int t = batch.length();
                List<NDArray> alone = List.of(l1, l2, l3);
                List<long[]> prompts = List.of(p1, p2, p3);
                for (int r = 0; r < 3; r++) {
                    int n = prompts.get(r).length;
                    int from = left ? t - n : 0;
                    NDArray rows = all.get(new NDIndex("{}:{}, {}:{}", r, r + 1, from, from + n));
                    assertThat(maxAbsDiff(rows, alone.get(r))).as("row %d left=%s", r, left).isLessThan(SAME);
                }
            }
        }
    }

    @Test
    void cachedDecodingGivesTheLogitsOfTheFullForward() {
        int[] g = {1, 6, 8};
        long[] p1 = TinyModels.prompt(g, new long[] {1, 2}, new long[] {3, 4});
        long[] p2 = {5, 6, 7};
        float[] x1 = TinyModels.patches(g, 6);
        long[][] next = {{10, 11}, {12, 13}, {14, 15}, {16, 17}};
        try (NDManager gen = root.newSubManager();
             KvCache cache = model.newCache(2, p1.length + next.length, gen)) {
            ModelInput prompt = ModelInput.padded(List.of(p1, p2), 0, true, x1, List.of(g));
            List<long[]> s1 = new ArrayList<>(List.of(p1));
            List<long[]> s2 = new ArrayList<>(List.of(p2));
            try (NDManager step = gen.newSubManager()) {
                NDArray cached = model.prefill(prompt, cache, step);
                NDArray full = model.lastLogits(prompt, step);
                assertThat(maxAbsDiff(cached, full)).isLessThan(SAME);
            }
            for (long[] tokens : next) {
                s1 = append(s1, tokens[0]);
                s2 = append(s2, tokens[1]);
                try (NDManager step = gen.newSubManager()) {
                    NDArray cached = model.decode(tokens, cache, step);
                    NDArray full = model.lastLogits(ModelInput.padded(List.of(s1.get(0), s2.get(0)), 0, true, x1,
                            List.of(g)), step);
                    assertThat(maxAbsDiff(cached, full)).isLessThan(SAME);
                    assertThat(cached.getShape().getShape()).containsExactly(2, TinyModels.VOCAB);
                }
            }
            assertThat(cache.length()).isEqualTo(p1.length + next.length);
            assertThatThrownBy(() -> {
                try (NDManager step = gen.newSubManager()) {
                    model.decode(new long[] {1, 1}, cache, step);
                }
            }).isInstanceOf(ModelException.class).hasMessageContaining("KV cache full");
        }
    }

    private static List<long[]> append(List<long[]> seq, long token) {
        long[] s = seq.get(0);
        long[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = token;
        return new ArrayList<>(List.of(out));
    }

    @Test
    void tokenLogProbsAreTheLogSoftmaxOfTheNextToken() {
        long[] ids = {1, 2, 3, 4, 5, 6};
        try (NDManager step = root.newSubManager()) {
            ModelInput in = ModelInput.text(ids);
            NDArray logits = model.logits(in, step);
            NDArray lp = model.tokenLogProbs(in, 2, step);
            assertThat(lp.getShape().getShape()).containsExactly(1, 4);
            float[] got = lp.toFloatArray();
            for (int j = 0; j < 4; j++) {
                float[] row = logits.get(new NDIndex("0, {}", 1 + j)).toFloatArray();
                double max = Double.NEGATIVE_INFINITY;
                for (float v : row) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (float v : row) {
                    sum += Math.exp(v - max);
                }
                double expected = row[(int) ids[2 + j]] - max - Math.log(sum);
                assertThat((double) got[j]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
            }
            assertThatThrownBy(() -> model.tokenLogProbs(in, 0, step)).isInstanceOf(ModelException.class);
        }
    }

    @Test
    void mismatchedImageInputsAreClearErrors() {
        int[] g = {1, 4, 4};
        long[] p = TinyModels.prompt(g, new long[] {1}, new long[] {2});
        try (NDManager step = root.newSubManager()) {
            assertThatThrownBy(() -> model.logits(new ModelInput(new long[][] {p}, null, new float[10], List.of(g)),
                    step)).isInstanceOf(ModelException.class).hasMessageContaining("pixel patches hold 10 values");
            assertThatThrownBy(() -> model.logits(ModelInput.text(p), step))
                    .isInstanceOf(ModelException.class).hasMessageContaining("image");
            assertThatThrownBy(() -> model.logits(ModelInput.text(new long[] {1, 500}), step))
                    .isInstanceOf(ModelException.class).hasMessageContaining("outside the vocabulary");
        }
    }

    @Test
    void inPlaceUpdatesOfParametersReachTheFusedWeights() {
        // without autograd the model multiplies the fused q/k/v and gate/up arrays; with it, the parameters
        int[] g = {1, 4, 4};
        ModelInput in = new ModelInput(new long[][] {TinyModels.prompt(g, new long[] {1, 2}, new long[] {3, 4})},
                null, TinyModels.patches(g, 2), List.of(g));
        List<String> names = List.of("model.layers.1.self_attn.k_proj.weight", "model.layers.0.self_attn.v_proj.bias",
                "model.layers.1.mlp.up_proj.weight", "visual.blocks.2.mlp.gate_proj.bias");
        try (NDManager step = root.newSubManager()) {
            float[] before = model.logits(in, step).toFloatArray();
            try {
                names.forEach(n -> model.parameters().get(n).addi(0.25f));
                NDArray fused = model.logits(in, step);
                NDArray parts;
                try (ai.djl.training.GradientCollector gc = org.pathoreason.engine.GradientRecording.open()) {
                    parts = model.logits(in, step);
                    parts = parts.stopGradient();
                }
                assertThat(fused.toFloatArray()).isNotEqualTo(before);
                assertThat(maxAbsDiff(fused, parts)).isLessThan(SAME);
            } finally {
                names.forEach(n -> model.parameters().get(n).subi(0.25f));
                model.zeroGradients();
            }
            assertThat(maxAbsDiff(model.logits(in, step), step.create(before, new ai.djl.ndarray.types.Shape(
                    1, in.length(), TinyModels.VOCAB)))).isLessThan(SAME); // +0.25 - 0.25 rounds
        }
    }

    @Test
    void theCachedCausalMaskEqualsTheFullMaskWherePaddingOnlyEndsRows() {
        java.util.Random r = new java.util.Random(5);
        int[][] keyMask = new int[3][12];
        for (int[] row : keyMask) {
            int real = 4 + r.nextInt(9); // right padding: real columns first
            for (int j = 0; j < row.length; j++) {
                row[j] = j < real ? 1 : 0;
            }
        }
        assertThat(Nn.paddingBeforeRealTokens(keyMask, 12)).isFalse();
        assertThat(Nn.paddingBeforeRealTokens(new int[][] {{0, 1, 1}}, 3)).isTrue();
        assertThat(Nn.paddingBeforeRealTokens(new int[][] {{1, 1, 0}}, 3)).isFalse();
        try (NDManager step = root.newSubManager()) {
            Nn.CausalMasks masks = new Nn.CausalMasks(step);
            for (int start : new int[] {0, 4, 9}) {
                int queries = 12 - start;
                float[] full = TextDecoder.hostMask(keyMask, 12, start, queries, step).toFloatArray();
                float[] causal = masks.get(queries, 12, start).toFloatArray();
                assertThat(masks.get(queries, 12, start).toFloatArray()).containsExactly(causal);
                for (int b = 0; b < keyMask.length; b++) {
                    for (int q = 0; q < queries; q++) {
                        if (keyMask[b][start + q] == 0) {
                            continue; // a padded query: its output is never read
                        }
                        for (int j = 0; j < 12; j++) {
                            assertThat(causal[q * 12 + j]).isEqualTo(full[(b * queries + q) * 12 + j]);
                        }
                    }
                }
            }
            // query 1 of row 0 sees key 0 and key 1 only
            float[] m = TextDecoder.hostMask(new int[][] {{1, 1, 1}}, 3, 0, 3, step).toFloatArray();
            assertThat(m).containsExactly(0, Nn.MASKED, Nn.MASKED, 0, 0, Nn.MASKED, 0, 0, 0);
        }
    }
}

package org.pathoreason.model.qwen2vl;

import org.pathoreason.engine.GradientRecording;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.ParameterGroup;

class Qwen2VLGradientTest {

    private static ModelInput batch() {
        int[] g = {1, 6, 8};
        long[] p1 = TinyModels.prompt(g, new long[] {1, 2}, new long[] {3, 4, 5, 6});
        long[] p2 = {7, 8, 9, 10, 11};
        return ModelInput.padded(List.of(p1, p2), 0, false, TinyModels.patches(g, 1), List.of(g));
    }

    /** Runs one forward/backward and returns the gradient norm of every parameter that got one. */
    private static Map<String, Float> step(Qwen2VLModel model, NDManager root) {
        return step(model, root, false);
    }

    /**
     * @param churnMemory between forward and backward, collect garbage and fill fresh direct buffers, so that any
     *     host memory the graph still reads but Java has released gets overwritten
     */
    private static Map<String, Float> step(Qwen2VLModel model, NDManager root, boolean churnMemory) {
        model.zeroGradients();
        try (NDManager step = root.newSubManager();
             GradientCollector gc = GradientRecording.open()) {
            NDArray lp = model.tokenLogProbs(batch(), 1, step);
            if (churnMemory) {
                List<java.nio.ByteBuffer> filler = new java.util.ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    System.gc();
                    for (int k = 0; k < 64; k++) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(4096);
                        while (b.hasRemaining()) {
                            b.put((byte) 0x7f);
                        }
                        filler.add(b);
                    }
                }
            }
            gc.backward(lp.mean().neg());
        }
        Map<String, Float> norms = new java.util.LinkedHashMap<>();
        model.parameters().forEach((name, p) -> {
            if (p.hasGradient()) {
                try (NDArray g = p.getGradient()) {
                    norms.put(name, g.square().sum().sqrt().getFloat());
                }
            }
        });
        return norms;
    }

    @Test
    void gradientsReachEveryTrainableParameterAndNoFrozenOne() {
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.random(TinyModels.config(false), 3, root)) {
            Map<String, Float> all = step(model, root);
            assertThat(all.keySet()).containsExactlyElementsOf(model.parameters().keySet());
            all.forEach((name, norm) -> assertThat(norm).as(name).isGreaterThan(0f).isFinite());

            model.setFrozen(ParameterGroup.VISION, true);
            model.setFrozen(ParameterGroup.MERGER, true);
            Map<String, Float> language = step(model, root);
            assertThat(language.keySet()).containsExactlyElementsOf(model.trainableParameters().keySet());
            assertThat(language.keySet()).allMatch(n -> model.groupOf(n) == ParameterGroup.LANGUAGE);
            language.forEach((name, norm) -> assertThat(norm).as(name).isGreaterThan(0f));
            // the language gradients are those of the unfrozen run: freezing only cuts the vision branch
            assertThat(language.get("model.norm.weight")).isCloseTo(all.get("model.norm.weight"),
                    org.assertj.core.data.Offset.offset(1e-4f));

            model.setFrozen(ParameterGroup.VISION, false);
            model.setFrozen(ParameterGroup.MERGER, false);
            model.setFrozen(ParameterGroup.LANGUAGE, true);
            Map<String, Float> vision = step(model, root);
            assertThat(vision.keySet()).isNotEmpty().allMatch(n -> model.groupOf(n) != ParameterGroup.LANGUAGE);
            assertThat(vision).containsKey("visual.patch_embed.proj.weight").containsKey("visual.merger.mlp.2.bias");
            vision.forEach((name, norm) -> assertThat(norm).as(name).isGreaterThan(0f));
        }
    }

    @Test
    void backwardNeverReadsHostMemoryJavaHasReleased() {
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.random(TinyModels.config(false), 3, root)) {
            Map<String, Float> quiet = step(model, root, false);
            Map<String, Float> churned = step(model, root, true);
            assertThat(churned).isEqualTo(quiet);
        }
    }

    @Test
    void tiedEmbeddingsGetTheGradientOfBothUses() {
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.random(TinyModels.config(true), 3, root)) {
            assertThat(model.parameters()).doesNotContainKey("lm_head.weight");
            Map<String, Float> all = step(model, root);
            assertThat(all.keySet()).containsExactlyElementsOf(model.parameters().keySet());
            assertThat(all.get("model.embed_tokens.weight")).isGreaterThan(0f);
        }
    }

    @Test
    void zeroGradientsClearsAccumulation() {
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.random(TinyModels.config(false), 5, root)) {
            Map<String, Float> first = step(model, root);
            Map<String, Float> second = step(model, root);
            assertThat(second.get("model.norm.weight")).isCloseTo(first.get("model.norm.weight"),
                    org.assertj.core.data.Offset.offset(1e-5f));
        }
    }
}

package org.pathoreason.model.qwen2vl;

import org.pathoreason.engine.GradientRecording;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.generate.Generator;
import org.pathoreason.model.Prompt;
import org.pathoreason.generate.SamplingOptions;
import org.pathoreason.model.ModelInput;

/** Training steps and generation runs leave no array behind in the model's or the caller's managers. */
class MemoryFlatTest {

    @Test
    void repeatedStepsKeepTheArrayCountFlat() {
        int[] g = {1, 4, 8};
        long[] ids = TinyModels.prompt(g, new long[] {1, 2}, new long[] {3, 4, 5});
        float[] patches = TinyModels.patches(g, 1);
        ModelInput input = new ModelInput(new long[][] {ids}, null, patches, List.of(g));
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.random(TinyModels.config(true), 1, root)) {
            // parameters, the fused q/k/v and gate/up arrays they alias, the rotary permutations
            int afterLoad = root.getManagedArrays().size();
            Generator generator = new Generator(model, t -> "x".repeat(t.length));
            Runnable round = () -> {
                model.zeroGradients();
                try (NDManager step = root.newSubManager();
                     GradientCollector gc = GradientRecording.open()) {
                    gc.backward(model.tokenLogProbs(input, 3, step).sum().neg());
                }
                for (NDArray p : model.trainableParameters().values()) {
                    p.getGradient().close();
                }
                generator.generate(List.of(new Prompt(ids, patches, List.of(g))), SamplingOptions.greedy(3), null,
                        root);
                generator.generate(List.of(Prompt.text(1, 2, 3)), SamplingOptions.greedy(2).withCache(false), null,
                        root);
            };
            round.run();
            int before = root.getManagedArrays().size();
            for (int i = 0; i < 15; i++) {
                round.run();
            }
            assertThat(root.getManagedArrays()).hasSize(before);
            // nothing but the few cached causal masks was added to the model's manager
            assertThat(before).isBetween(afterLoad, afterLoad + Nn.CausalMasks.KEEP);
        }
    }
}

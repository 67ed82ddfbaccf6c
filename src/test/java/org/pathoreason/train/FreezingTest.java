package org.pathoreason.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.train.Freezing.Part;

class FreezingTest {

    @Test
    void classifiesQwenNamesInBothLayouts() {
        assertThat(Freezing.partOf("visual.patch_embed.proj.weight")).isEqualTo(Part.VISION);
        assertThat(Freezing.partOf("visual.blocks.0.norm1.weight")).isEqualTo(Part.VISION);
        assertThat(Freezing.partOf("visual.merger.ln_q.weight")).isEqualTo(Part.MERGER);
        assertThat(Freezing.partOf("visual.merger.mlp.2.bias")).isEqualTo(Part.MERGER);
        assertThat(Freezing.partOf("model.visual.blocks.3.attn.qkv.weight")).isEqualTo(Part.VISION);
        assertThat(Freezing.partOf("model.visual.merger.mlp.0.weight")).isEqualTo(Part.MERGER);
        assertThat(Freezing.partOf("model.layers.0.self_attn.q_proj.weight")).isEqualTo(Part.LANGUAGE);
        assertThat(Freezing.partOf("model.language_model.layers.0.mlp.up_proj.weight")).isEqualTo(Part.LANGUAGE);
        assertThat(Freezing.partOf("model.embed_tokens.weight")).isEqualTo(Part.LANGUAGE);
        assertThat(Freezing.partOf("lm_head.weight")).isEqualTo(Part.LANGUAGE);
    }

    @Test
    void freezesTheChosenParts() {
        Engines.start();
        try (NDManager m = Engines.newManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (String n : new String[] {"visual.blocks.0.attn.qkv.weight", "visual.merger.mlp.0.weight",
                    "model.layers.0.mlp.up_proj.weight", "lm_head.weight"}) {
                NDArray p = m.create(new float[] {1f});
                p.setRequiresGradient(true);
                params.put(n, p);
            }
            Map<Part, Integer> trainable = Freezing.apply(params, true, false, false);
            assertThat(trainable).containsEntry(Part.VISION, 0).containsEntry(Part.MERGER, 1)
                    .containsEntry(Part.LANGUAGE, 2);
            assertThat(params.get("visual.blocks.0.attn.qkv.weight").hasGradient()).isFalse();
            assertThat(ai.djl.pytorch.jni.JniUtils.requiresGrad(
                    (ai.djl.pytorch.engine.PtNDArray) params.get("visual.blocks.0.attn.qkv.weight"))).isFalse();
            assertThat(Gradients.trainable(params).keySet()).containsExactly("lm_head.weight",
                    "model.layers.0.mlp.up_proj.weight", "visual.merger.mlp.0.weight");
        }
    }
}

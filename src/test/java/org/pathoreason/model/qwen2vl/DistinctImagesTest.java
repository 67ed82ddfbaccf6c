package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.model.ModelInput;

class DistinctImagesTest {

    @Test
    void copiesOfAnImageShareTheFeaturesOfItsFirstAppearance() {
        int[] a = {1, 4, 4};
        int[] b = {1, 6, 8};
        float[] xa = TinyModels.patches(a, 1);
        float[] xb = TinyModels.patches(b, 2);
        float[] almostA = xa.clone();
        almostA[almostA.length - 1] += 1e-3f; // one value differs: a different image
        float[] all = ModelInput.concatPatches(List.of(xa, xb, xa.clone(), almostA, xb.clone()));
        DistinctImages d = DistinctImages.of(all, List.of(a, b, a, a, b), 1176, 4);
        assertThat(d.grids()).hasSize(3);
        assertThat(d.patches()).hasSize(xa.length * 2 + xb.length);
        // features: a at 0 (4 tokens), b at 4 (12 tokens), almostA at 16
        assertThat(d.featureStart()).containsExactly(0, 4, 0, 16, 4);
        assertThat(d.tokens()).isEqualTo(4 + 12 + 4 + 4 + 12);
    }

    @Test
    void distinctImagesAndMismatchedInputsPassThrough() {
        int[] a = {1, 4, 4};
        float[] x = ModelInput.concatPatches(List.of(TinyModels.patches(a, 1), TinyModels.patches(a, 2)));
        DistinctImages d = DistinctImages.of(x, List.of(a, a), 1176, 4);
        assertThat(d.patches()).isSameAs(x);
        assertThat(d.featureStart()).containsExactly(0, 4);
        float[] short_ = new float[10];
        assertThat(DistinctImages.of(short_, List.of(a, a), 1176, 4).patches()).isSameAs(short_);
    }
}

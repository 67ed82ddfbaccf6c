package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pathoreason.model.qwen2vl.TinyModels.IMAGE;
import static org.pathoreason.model.qwen2vl.TinyModels.VISION_END;
import static org.pathoreason.model.qwen2vl.TinyModels.VISION_START;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.model.ModelException;

class RopeIndexTest {

    private final Qwen2VLConfig config = TinyModels.config(true);

    @Test
    void textThenImageThenText() {
        // two text tokens, vision start, 4 x 6 patches = 2 x 3 merged tokens, vision end, two text tokens
        long[] ids = {5, 6, VISION_START, IMAGE, IMAGE, IMAGE, IMAGE, IMAGE, IMAGE, VISION_END, 7, 8};
        RopeIndex r = RopeIndex.compute(new long[][] {ids}, null, List.of(new int[] {1, 4, 6}), config);
        assertThat(r.positions()[0][0]).containsExactly(0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7, 8);
        assertThat(r.positions()[1][0]).containsExactly(0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7, 8);
        assertThat(r.positions()[2][0]).containsExactly(0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7, 8);
        assertThat(r.deltas()).containsExactly(9 - 12);
    }

    @Test
    void paddingGetsOneAndShiftsNothingElse() {
        long[] ids = {0, 0, 5, VISION_START, IMAGE, IMAGE, IMAGE, IMAGE, VISION_END, 7};
        int[] mask = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
        long[] text = {9, 9, 9, 9, 9, 9, 9, 9, 0, 0};
        int[] textMask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
        RopeIndex r = RopeIndex.compute(new long[][] {ids, text}, new int[][] {mask, textMask},
                List.of(new int[] {1, 4, 4}), config);
        assertThat(r.positions()[0][0]).containsExactly(1, 1, 0, 1, 2, 2, 2, 2, 4, 5);
        assertThat(r.positions()[1][0]).containsExactly(1, 1, 0, 1, 2, 2, 3, 3, 4, 5);
        assertThat(r.positions()[2][0]).containsExactly(1, 1, 0, 1, 2, 3, 2, 3, 4, 5);
        assertThat(r.positions()[0][1]).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 1, 1);
        assertThat(r.deltas()).containsExactly(6 - 10, 8 - 10);
    }

    @Test
    void twoImagesInOneRowUseTheGridsInOrder() {
        long[] ids = {VISION_START, IMAGE, VISION_END, VISION_START, IMAGE, IMAGE, VISION_END, 3};
        RopeIndex r = RopeIndex.compute(new long[][] {ids}, null,
                List.of(new int[] {1, 2, 2}, new int[] {1, 2, 4}), config);
        assertThat(r.positions()[0][0]).containsExactly(0, 1, 2, 3, 4, 4, 6, 7);
        assertThat(r.positions()[2][0]).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void mismatchedGridsAreClearErrors() {
        long[] ids = {VISION_START, IMAGE, VISION_END};
        assertThatThrownBy(() -> RopeIndex.compute(new long[][] {ids}, null, List.of(), config))
                .isInstanceOf(ModelException.class).hasMessageContaining("more images than the 0 image grids");
        assertThatThrownBy(() -> RopeIndex.compute(new long[][] {ids}, null,
                List.of(new int[] {1, 2, 2}, new int[] {1, 2, 2}), config))
                .isInstanceOf(ModelException.class).hasMessageContaining("2 image grids were given");
    }
}

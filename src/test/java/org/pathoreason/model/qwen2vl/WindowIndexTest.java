package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.model.ModelException;

class WindowIndexTest {

    @Test
    void windowsOfAnImageWhoseGridDoesNotDivideIntoWindows() {
        // 4 x 6 patches -> 2 x 3 merged tokens, windows of 2 x 2 merged tokens:
        // window (0,0) holds tokens 0,1,3,4; window (0,1) holds 2,5 (its right half is padding in the reference)
        WindowIndex w = WindowIndex.compute(List.of(new int[] {1, 4, 6}), 2, 2);
        assertThat(w.order()).containsExactly(0, 1, 3, 4, 2, 5);
        assertThat(w.reverse()).containsExactly(0, 1, 4, 2, 3, 5);
        assertThat(w.windowBoundaries()).containsExactly(0, 16, 24);
        assertThat(w.frameBoundaries()).containsExactly(0, 24);
        assertThat(w.patchOrder()).startsWith(0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 8, 9, 10, 11);
    }

    @Test
    void severalImagesAndFramesAreOffsetAndKeptApart() {
        // image A: 2 frames of 4 x 4 patches (one window each); image B: 2 x 2 patches (one token)
        WindowIndex w = WindowIndex.compute(List.of(new int[] {2, 4, 4}, new int[] {1, 2, 2}), 2, 2);
        assertThat(w.order()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(w.windowBoundaries()).containsExactly(0, 16, 32, 36);
        assertThat(w.frameBoundaries()).containsExactly(0, 16, 32, 36);
    }

    @Test
    void windowsOfTheLargerPublishedSize() {
        // 12 x 20 patches -> 6 x 10 merged tokens, windows of 4 x 4 merged tokens (window_size 112)
        WindowIndex w = WindowIndex.compute(List.of(new int[] {1, 12, 20}), 2, 4);
        // windows row-major: 4x4, 4x4, 4x2, then 2x4, 2x4, 2x2
        assertThat(w.windowBoundaries()).containsExactly(0, 64, 128, 160, 192, 224, 240);
        assertThat(w.order()).startsWith(0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33, 4, 5);
        assertThat(w.order()[w.order().length - 1]).isEqualTo(59);
        for (int i = 0; i < w.order().length; i++) {
            assertThat(w.reverse()[w.order()[i]]).isEqualTo(i);
        }
    }

    @Test
    void gridsThatCannotBeMergedAreRefused() {
        assertThatThrownBy(() -> WindowIndex.compute(List.of(new int[] {1, 3, 4}), 2, 2))
                .isInstanceOf(ModelException.class).hasMessageContaining("multiples of 2");
    }
}

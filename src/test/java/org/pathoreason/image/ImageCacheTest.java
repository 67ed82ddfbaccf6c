package org.pathoreason.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {

    @TempDir
    Path dir;

    @Test
    void keepsTheResizedImageAndGivesTheProcessorsPatchesEachTime() throws IOException {
        JsonNode c = ReferenceFiles.manifest().get("kidney-ihc-default");
        Path tile = ReferenceFiles.tile(c.get("input").asText());
        QwenImageProcessor processor = new QwenImageProcessor();
        ProcessedImage expected = processor.process(tile);

        ImageCache cache = new ImageCache(processor, 1L << 20);
        ProcessedImage first = cache.get(tile);
        ProcessedImage again = cache.get(tile);
        assertThat(first.patches()).isEqualTo(expected.patches());
        assertThat(again.patches()).isEqualTo(expected.patches());
        assertThat(again.gridThw()).containsExactly(expected.gridThw());
        // read and resized once; kept as 4 bytes a pixel of the resized image (grid 6 x 4 patches of 14 pixels),
        // a sixth of its float patches
        assertThat(cache.processedCount()).isEqualTo(1);
        assertThat(cache.cachedBytes()).isEqualTo(4L * (6 * 14) * (4 * 14));
        assertThat(cache.cachedBytes() * 6).isEqualTo(4L * expected.patches().length);
        // a caller that writes into the patches it got does not change what the cache gives next
        first.patches()[0] = 1e9f;
        assertThat(cache.get(tile).patches()).isEqualTo(expected.patches());
    }

    @Test
    void anImageBeyondTheBudgetIsProcessedAgainWithTheSameResult() throws IOException {
        Path tile = ReferenceFiles.tile(ReferenceFiles.manifest().get("kidney-ihc-default").get("input").asText());
        ImageCache none = new ImageCache(new QwenImageProcessor(), 0);
        float[] a = none.get(tile).patches();
        assertThat(none.get(tile).patches()).isEqualTo(a);
        assertThat(none.processedCount()).isEqualTo(2);
        assertThat(none.cachedCount()).isZero();
    }

    @Test
    void aBudgetLargerThanTheHeapAllowsIsCappedAtAQuarterOfIt() {
        long heap = Runtime.getRuntime().maxMemory();
        assertThat(new ImageCache(new QwenImageProcessor(), Long.MAX_VALUE).budgetBytes())
                .isEqualTo((long) (0.25 * heap));
        assertThat(new ImageCache(new QwenImageProcessor(), 1L << 20).budgetBytes()).isEqualTo(1L << 20);
    }

    @Test
    void anUnreadableFileIsNamed() throws IOException {
        Path bad = Files.writeString(dir.resolve("broken.png"), "not a png");
        ImageCache cache = new ImageCache(new QwenImageProcessor(), 1L << 20);
        assertThatThrownBy(() -> cache.get(bad)).isInstanceOf(ImageReadException.class)
                .hasMessageContaining("broken.png");
    }
}

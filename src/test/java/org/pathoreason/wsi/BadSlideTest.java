package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.util.PathoReasonException;

/** Broken slides and impossible requests fail with a message that names the file and the problem. */
class BadSlideTest {

    @TempDir
    Path dir;

    private Path good;
    private byte[] bytes;

    @BeforeEach
    void writeGoodSlide() throws Exception {
        BufferedImage img = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 100; x++) {
                img.setRGB(x, y, (x * 2) << 16 | (y * 3) << 8 | 90);
            }
        }
        good = dir.resolve("good.tiff");
        PyramidTiffWriter.write(good, PyramidTiffWriter.source(img),
                PyramidTiffWriter.Options.defaults().withTileSize(32).withCompression(
                        PyramidTiffWriter.Compression.NONE));
        bytes = Files.readAllBytes(good);
        try (Slide s = TiffSlide.open(good)) {
            assertThat(s.readRegion(0, 0, 0, 100, 80).getRGB(10, 20) & 0xFFFFFF).isEqualTo(20 << 16 | 60 << 8 | 90);
        }
    }

    /** File position of the value field of {@code tag} in IFD 0 (classic little-endian TIFF). */
    private int valueField(int tag) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int ifd = b.getInt(4);
        int n = b.getShort(ifd) & 0xFFFF;
        for (int i = 0; i < n; i++) {
            int at = ifd + 2 + 12 * i;
            if ((b.getShort(at) & 0xFFFF) == tag) {
                return at + 8;
            }
        }
        throw new AssertionError("no tag " + tag);
    }

    private Path patched(String name, int position, int value) throws Exception {
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(position, value);
        Path p = dir.resolve(name);
        Files.write(p, copy);
        return p;
    }

    @Test
    void truncatedFile() throws Exception {
        Path p = dir.resolve("truncated.tiff");
        Files.write(p, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> TiffSlide.open(p)).isInstanceOf(SlideException.class)
                .isInstanceOf(DataException.class).isInstanceOf(PathoReasonException.class)
                .hasMessageContaining("truncated.tiff").hasMessageContaining("past the end of the file");
    }

    @Test
    void tileOffsetPastTheEnd() throws Exception {
        // TileOffsets has 16 values, stored out of line: patch the first one
        int table = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(valueField(324));
        Path p = patched("offset.tiff", table, bytes.length + 1000);
        assertThatThrownBy(() -> TiffSlide.open(p)).isInstanceOf(SlideException.class)
                .hasMessageContaining("offset.tiff").hasMessageContaining("tile 0")
                .hasMessageContaining("past the end of the file");
    }

    @Test
    void unsupportedCompressionIsNamed() throws Exception {
        Path p = patched("webp.tiff", valueField(259), 50001);
        assertThatThrownBy(() -> TiffSlide.open(p)).isInstanceOf(SlideException.class)
                .hasMessageContaining("webp.tiff").hasMessageContaining("unsupported compression 50001 (WebP)");
    }

    @Test
    void absurdDimensions() throws Exception {
        Path p = patched("huge.tiff", valueField(256), 2_000_000_000);
        assertThatThrownBy(() -> TiffSlide.open(p)).isInstanceOf(SlideException.class)
                .hasMessageContaining("huge.tiff").hasMessageContaining("2000000000 x 80");
    }

    @Test
    void tileTableThatDoesNotFitTheSize() throws Exception {
        Path p = patched("wide.tiff", valueField(256), 1000);
        assertThatThrownBy(() -> TiffSlide.open(p)).isInstanceOf(SlideException.class)
                .hasMessageContaining("expected 96");
    }

    @Test
    void notATiff() throws Exception {
        Path p = dir.resolve("notes.txt");
        Files.writeString(p, "hello, not a slide at all");
        assertThatThrownBy(() -> TiffSlide.open(p)).isInstanceOf(SlideException.class)
                .hasMessageContaining("notes.txt").hasMessageContaining("not a TIFF");
        assertThatThrownBy(() -> Slides.open(dir.resolve("missing.svs"))).isInstanceOf(SlideException.class)
                .hasMessageContaining("missing.svs").hasMessageContaining("does not exist");
    }

    @Test
    void regionRequestsOutsideTheSlide() {
        try (Slide s = TiffSlide.open(good)) {
            assertThatThrownBy(() -> s.readRegion(100, 0, 0, 10, 10)).isInstanceOf(SlideException.class)
                    .hasMessageContaining("wholly outside the slide").hasMessageContaining("100 x 80");
            assertThatThrownBy(() -> s.readRegion(-20, -20, 0, 10, 10)).hasMessageContaining("outside");
            assertThatThrownBy(() -> s.readRegion(0, 0, 7, 10, 10)).hasMessageContaining("level 7 does not exist");
            assertThatThrownBy(() -> s.readRegion(0, 0, 0, 0, 10)).hasMessageContaining("must be positive");
            assertThatThrownBy(() -> s.readRegion(0, 0, 0, 100_000, 100_000)).hasMessageContaining("read it in tiles");
            assertThatThrownBy(() -> s.associatedImage("label")).hasMessageContaining("no associated image 'label'");
        }
    }
}

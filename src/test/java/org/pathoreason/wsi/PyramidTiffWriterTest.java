package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pyramids written by the project read back with their pixels, levels and resolution. */
class PyramidTiffWriterTest {

    @TempDir
    Path dir;

    static BufferedImage pattern(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int base = ((x / 37 + y / 23) % 2 == 0) ? 0xE8C8D8 : 0x9040A0;
                img.setRGB(x, y, base ^ (r.nextInt(16) * 0x010101));
            }
        }
        return img;
    }

    @Test
    void deflatePyramidIsLossless() {
        BufferedImage img = pattern(700, 500, 1);
        Path p = dir.resolve("deflate.tiff");
        PyramidTiffWriter.write(p, PyramidTiffWriter.source(img), PyramidTiffWriter.Options.defaults()
                .withCompression(PyramidTiffWriter.Compression.DEFLATE).withTileSize(128).withMicronsPerPixel(0.25));
        try (Slide s = TiffSlide.open(p)) {
            assertThat(s.levelCount()).isEqualTo(4); // 700, 350, 175, 87
            assertThat(s.level(3).width()).isEqualTo(87);
            assertThat(s.vendor()).isEqualTo("generic-tiff");
            assertThat(s.mppX().orElseThrow()).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(TestSlides.maxChannelDifference(s.readRegionRgb(0, 0, 0, 700, 500), img)).isZero();
            // level 1 is the 2 x 2 mean of level 0
            int p00 = img.getRGB(10, 10);
            int p10 = img.getRGB(11, 10);
            int p01 = img.getRGB(10, 11);
            int p11 = img.getRGB(11, 11);
            int green = (((p00 >> 8) & 255) + ((p10 >> 8) & 255) + ((p01 >> 8) & 255) + ((p11 >> 8) & 255) + 2) / 4;
            assertThat((s.readRegion(10, 10, 1, 1, 1).getRGB(0, 0) >> 8) & 255).isEqualTo(green);
        }
    }

    @Test
    void jpegBigTiffPyramidIsClose() {
        BufferedImage img = pattern(600, 400, 2);
        Path p = dir.resolve("jpeg.tiff");
        PyramidTiffWriter.write(p, PyramidTiffWriter.source(img), PyramidTiffWriter.Options.defaults()
                .withBigTiff(true).withTileSize(256));
        try (TiffSlide s = TiffSlide.open(p)) {
            assertThat(s.levelCount()).isEqualTo(3); // 600, 300, 150
            int[] a = Images.pixels(s.readRegionRgb(0, 0, 0, 600, 400));
            int[] b = Images.pixels(img);
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                sum += Math.abs(((a[i] >> 8) & 255) - ((b[i] >> 8) & 255));
            }
            assertThat(sum / a.length).isLessThan(6.0); // JPEG quality 0.9 on a noisy checkerboard
        }
    }
}

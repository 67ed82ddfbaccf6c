package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both backends on the same slides: the same levels, properties and associated images, and readRegion pixels that
 * agree exactly where both decode the same way (JPEG, lossless JPEG 2000, Deflate, LZW), within 2 levels on lossy
 * JPEG 2000 (OpenJPEG against jai-imageio) and within 4 more at sub-pixel offsets of downsampled levels (cairo's
 * bilinear filter against ours). Skipped when libopenslide is not installed.
 */
class OpenSlideBackendTest {

    @TempDir
    Path dir;

    @BeforeEach
    void needsOpenSlide() {
        assumeTrue(OpenSlideSlide.available(), "libopenslide is not installed (Debian: apt-get install "
                + "libopenslide0): " + OpenSlideLibrary.loadError());
    }

    static Stream<String> slides() {
        return TestSlides.ALL.stream();
    }

    @ParameterizedTest
    @MethodSource("slides")
    void sameLevelsPropertiesAndAssociatedImages(String name) {
        Path p = TestSlides.path(name);
        try (Slide java = Slides.open(p, SlideBackend.JAVA); Slide os = Slides.open(p, SlideBackend.OPENSLIDE)) {
            assertThat(os.backend()).isEqualTo(SlideBackend.OPENSLIDE);
            assertThat(java.levels()).isEqualTo(os.levels());
            Map<String, String> expected = new HashMap<>(os.properties());
            expected.remove("openslide.quickhash-1");
            Map<String, String> actual = new HashMap<>(java.properties());
            if (java.vendor().equals("generic-tiff")) {
                actual.remove(Slide.PROPERTY_MPP_X);
                actual.remove(Slide.PROPERTY_MPP_Y);
            }
            assertThat(actual).isEqualTo(expected);
            assertThat(java.associatedImageNames()).isEqualTo(os.associatedImageNames());
            for (String a : os.associatedImageNames()) {
                assertThat(TestSlides.maxChannelDifference(java.associatedImage(a), os.associatedImage(a))).isZero();
            }
            for (double ds : new double[] {0.5, 1, 1.5, 2, 3, 4.02, 8.1, 100}) {
                assertThat(java.bestLevelForDownsample(ds)).as("downsample %s", ds)
                        .isEqualTo(os.bestLevelForDownsample(ds));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("slides")
    void readRegionAgrees(String name) {
        Path p = TestSlides.path(name);
        int lossy = name.equals(TestSlides.JP2K_YCBCR) ? 2 : 0;
        Random random = new Random(name.hashCode());
        try (Slide java = Slides.open(p, SlideBackend.JAVA); Slide os = Slides.open(p, SlideBackend.OPENSLIDE)) {
            for (int level = 0; level < java.levelCount(); level++) {
                Level l = java.level(level);
                int size = (int) Math.min(256, Math.min(l.width(), l.height()));
                for (int i = 0; i < 12; i++) {
                    // at whole level pixels: the same pixels
                    long lx = random.nextInt((int) Math.max(1, l.width() - size / 2));
                    long ly = random.nextInt((int) Math.max(1, l.height() - size / 2));
                    long x = Math.round(lx * l.downsample());
                    long y = Math.round(ly * l.downsample());
                    boolean whole = x / l.downsample() == Math.floor(x / l.downsample())
                            && y / l.downsample() == Math.floor(y / l.downsample());
                    int tolerance = lossy + (whole ? 0 : 4);
                    assertThat(TestSlides.maxChannelDifference(java.readRegion(x, y, level, size, size),
                            os.readRegion(x, y, level, size, size)))
                            .as("%s level %d at %d,%d", name, level, x, y).isLessThanOrEqualTo(tolerance);
                    // anywhere: sub-pixel offsets on downsampled levels
                    long ax = random.nextInt((int) java.width());
                    long ay = random.nextInt((int) java.height());
                    tolerance = lossy + (level == 0 ? 0 : 4);
                    assertThat(TestSlides.maxChannelDifference(java.readRegion(ax, ay, level, size, size),
                            os.readRegion(ax, ay, level, size, size)))
                            .as("%s level %d at %d,%d", name, level, ax, ay).isLessThanOrEqualTo(tolerance);
                }
            }
        }
    }

    @Test
    void openSlideReadsTheProjectsPyramids() {
        BufferedImage img = PyramidTiffWriterTest.pattern(900, 700, 3);
        for (PyramidTiffWriter.Compression c : PyramidTiffWriter.Compression.values()) {
            Path p = dir.resolve(c + ".tiff");
            PyramidTiffWriter.write(p, PyramidTiffWriter.source(img), PyramidTiffWriter.Options.defaults()
                    .withCompression(c).withMicronsPerPixel(0.5));
            try (Slide java = Slides.open(p, SlideBackend.JAVA); Slide os = Slides.open(p, SlideBackend.OPENSLIDE)) {
                assertThat(os.vendor()).isEqualTo("generic-tiff");
                assertThat(java.levels()).isEqualTo(os.levels());
                for (int level = 0; level < os.levelCount(); level++) {
                    Level l = os.level(level);
                    // JPEG (YCbCr 4:2:0): the JDK's IJG decoder and libjpeg-turbo agree to the bit (both islow
                    // IDCT and fancy upsampling)
                    assertThat(TestSlides.maxChannelDifference(
                            java.readRegion(0, 0, level, (int) l.width(), (int) l.height()),
                            os.readRegion(0, 0, level, (int) l.width(), (int) l.height())))
                            .as("%s level %d", c, level).isZero();
                }
            }
        }
    }

    @Test
    void autoPicksTheJavaReaderForTiffs() {
        try (Slide s = Slides.open(TestSlides.path(TestSlides.CMU))) {
            assertThat(s.backend()).isEqualTo(SlideBackend.JAVA);
        }
        assertThat(OpenSlideSlide.version()).isNotBlank();
    }
}

package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TissueAndTilingTest {

    @TempDir
    Path dir;

    /** 4096 x 3072 white slide: a big ring of tissue (hole in the middle), a second blob and a speck. */
    private Path syntheticSlide() {
        BufferedImage img = new BufferedImage(4096, 3072, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 4096, 3072);
        g.setColor(new Color(200, 120, 170));
        g.fillOval(300, 300, 1800, 1800);
        g.setColor(Color.WHITE);
        g.fillOval(900, 900, 600, 600); // hole: 600^2 * pi/4 = 283k px = 1.08 reference patches
        g.setColor(new Color(150, 80, 160));
        g.fillRect(2600, 800, 1200, 1600);
        g.fillRect(3000, 2700, 40, 40); // speck, far below a reference patch
        g.dispose();
        Path p = dir.resolve("synthetic.tiff");
        PyramidTiffWriter.write(p, PyramidTiffWriter.source(img), PyramidTiffWriter.Options.defaults()
                .withCompression(PyramidTiffWriter.Compression.DEFLATE).withMicronsPerPixel(0.5));
        return p;
    }

    @Test
    void findsRegionsKeepsTheHoleAndDropsTheSpeck() {
        try (Slide slide = TiffSlide.open(syntheticSlide())) {
            TissueOptions o = TissueOptions.clamDefaults().withMinTissueArea(1).withMinHoleArea(0.5);
            TissueMask m = TissueDetector.detect(slide, o);
            assertThat(m.level()).isEqualTo(4); // downsample 16 is the best level for 64 (pyramid 1..16)
            assertThat(m.regions()).hasSize(2);
            assertThat(m.regions().stream().mapToInt(TissueMask.Region::holes).sum()).isEqualTo(1);
            // the mask matches the painted shapes: area of ring + rectangle over the slide
            double truth = (Math.PI / 4 * (1800.0 * 1800 - 600.0 * 600) + 1200.0 * 1600) / (4096.0 * 3072);
            // a cell at an edge is partly tissue, and saturation 8 of 255 already counts it: the mask runs about
            // one 16-pixel cell past each edge (~820 edge cells here, 0.03 of the slide)
            assertThat(m.tissueFraction()).isBetween(truth, truth + 0.04);
            assertThat(m.fractionIn(1100, 1100, 200, 200)).isZero(); // inside the kept hole
            assertThat(m.fractionIn(2800, 1000, 512, 512)).isEqualTo(1.0);
            assertThat(m.fractionIn(2990, 2690, 60, 60)).isZero(); // the speck was filtered out

            // a hole smaller than the hole filter is filled
            TissueMask filled = TissueDetector.detect(slide, o.withMinHoleArea(2));
            assertThat(filled.fractionIn(1100, 1100, 200, 200)).isEqualTo(1.0);
            // CLAM's default area filter (100 reference patches = 26M level-0 pixels) drops both regions here
            assertThat(TissueDetector.detect(slide, TissueOptions.clamDefaults()).regions()).isEmpty();
        }
    }

    @Test
    void otsuSeparatesTissueFromBackground() {
        try (Slide slide = TiffSlide.open(syntheticSlide())) {
            TissueMask m = TissueDetector.detect(slide, TissueOptions.biopsy().withOtsu(true));
            assertThat(m.threshold()).isBetween(10, 120);
            assertThat(m.regions()).hasSize(2); // biopsy areas: the speck (0.006 patches) still goes
        }
    }

    @Test
    void tilesAtMagnificationAndMppOnARealSlide() {
        try (Slide slide = TiffSlide.open(TestSlides.path(TestSlides.CMU))) {
            TissueMask m = TissueDetector.detect(slide, TissueOptions.biopsy());
            assertThat(m.tissueFraction()).isBetween(0.2, 0.95);
            TileGrid at20 = Tiler.tile(slide, m, TilingOptions.defaults()
                    .withResolution(TilingOptions.Resolution.magnification(20)));
            assertThat(at20.patchLevel()).isZero();
            assertThat(at20.patchSizeLevel0()).isEqualTo(256);
            assertThat(at20.size()).isBetween(20, 108); // 9 x 12 = 108 patches cover the crop
            TileGrid at10 = Tiler.tile(slide, m, TilingOptions.defaults()
                    .withResolution(TilingOptions.Resolution.magnification(10)).withOverlap(64));
            assertThat(at10.patchSizeLevel0()).isEqualTo(512);
            assertThat(at10.patchSizeAtLevel()).isEqualTo(512);
            assertThat(at10.stepLevel0()).isEqualTo(384);
            assertThat(at10.targetMagnification()).isEqualTo(10.0);
            BufferedImage patch = at10.read(slide, 0);
            assertThat(patch.getWidth()).isEqualTo(256);
            TileGrid mpp = Tiler.tile(slide, m, TilingOptions.defaults()
                    .withResolution(TilingOptions.Resolution.mpp(1.0)).withMinTissueFraction(0.9));
            assertThat(mpp.patchSizeLevel0()).isEqualTo(513); // 256 * 1.0 / 0.499
            for (double f : mpp.tissueFractions()) {
                assertThat(f).isGreaterThanOrEqualTo(0.9);
            }
            assertThatThrownBy(() -> Tiler.tile(slide, m, TilingOptions.defaults()
                    .withResolution(TilingOptions.Resolution.magnification(40))))
                    .isInstanceOf(SlideException.class).hasMessageContaining("finer than the slide's level 0");
        }
    }

    @Test
    void generic_tiffWithoutObjectivePowerNeedsMppOrLevel() {
        try (Slide slide = TiffSlide.open(TestSlides.path(TestSlides.BOXES))) {
            assertThatThrownBy(() -> Tiler.tile(slide, null, TilingOptions.defaults().withPatchSize(32)
                    .withResolution(TilingOptions.Resolution.magnification(5))))
                    .hasMessageContaining("no objective power");
            TileGrid g = Tiler.tile(slide, null, TilingOptions.defaults().withPatchSize(32)
                    .withResolution(TilingOptions.Resolution.level(1)));
            assertThat(g.patchSizeLevel0()).isEqualTo(64);
            assertThat(g.size()).isEqualTo(5 * 4); // 300 x 250 in 64-pixel steps, edge patches padded
        }
    }

    @Test
    void coordinatesRoundTripThroughClamsHdf5Layout() throws Exception {
        try (Slide slide = TiffSlide.open(TestSlides.path(TestSlides.CMU))) {
            TileGrid g = Tiler.tile(slide, TissueDetector.detect(slide, TissueOptions.biopsy()),
                    TilingOptions.defaults().withResolution(TilingOptions.Resolution.magnification(10)));
            Path h5 = dir.resolve("CMU-1-Small-Region.h5");
            CoordsFiles.writeH5(h5, g);
            CoordsFiles.H5Coords back = CoordsFiles.readH5(h5);
            assertThat(back.coords()).hasNumberOfRows(g.size());
            for (int i = 0; i < g.size(); i++) {
                assertThat(back.coords()[i]).containsExactly(g.coords().get(i));
            }
            assertThat(back.attributes()).containsEntry("patch_size", 512L).containsEntry("patch_level", 0L)
                    .containsEntry("name", "CMU-1-Small-Region").containsEntry("patch_size_level0", 512L)
                    .containsEntry("target_magnification", 10.0);
            assertThat((long[]) back.attributes().get("level_dim")).containsExactly(2220, 2967);
            Path json = dir.resolve("c.json");
            Path csv = dir.resolve("c.csv");
            CoordsFiles.writeJson(json, g);
            CoordsFiles.writeCsv(csv, g);
            assertThat(Files.readAllLines(csv)).hasSize(g.size() + 1).first().isEqualTo("x,y,tissue_fraction");
            assertThat(Files.readString(json)).contains("\"patch_level\" : 0");
        }
    }
}

package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.model.qwen2vl.TinyModels;

/** Tile features through a (tiny, random) Qwen2.5-VL vision tower into CLAM-style feature bags. */
class FeatureExtractorTest {

    static NDManager root;
    static Qwen2VLModel model;
    static VisionTowerEncoder encoder;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        root = Engines.newManager();
        model = Qwen2VLModel.random(TinyModels.config(false), 5, root);
        // 112 x 112 tiles: 8 x 8 patches, 16 merged tokens each
        encoder = VisionTowerEncoder.of(model, new QwenImageProcessor(PreprocessorConfig.defaults()
                .withPixelBounds(112 * 112, 112 * 112)), "tiny");
    }

    @AfterAll
    static void tearDown() {
        model.close();
        root.close();
    }

    private static TileGrid grid(Slide slide, int n) {
        return Tiler.tile(slide, TissueDetector.detect(slide, TissueOptions.biopsy()), TilingOptions.defaults()
                .withPatchSize(112).withResolution(TilingOptions.Resolution.magnification(10))
                .withMinTissueFraction(0.9)).first(n);
    }

    @Test
    void featuresDoNotDependOnTheBatch() {
        try (Slide slide = TiffSlide.open(TestSlides.path(TestSlides.CMU))) {
            TileGrid g = grid(slide, 5);
            assertThat(g.size()).isEqualTo(5);
            List<int[]> progress = new ArrayList<>();
            FeatureListener listener = new FeatureListener() {
                @Override
                public void tilesEncoded(String s, int done, int total) {
                    progress.add(new int[] {done, total});
                }
            };
            FeatureBag batched = FeatureExtractor.extract(slide, g, encoder, 4, listener);
            FeatureBag single = FeatureExtractor.extract(slide, g, encoder, 1, FeatureListener.NONE);
            assertThat(progress).extracting(p -> p[0]).containsExactly(4, 5);
            assertThat(batched.dimension()).isEqualTo(encoder.dimension());
            for (int i = 0; i < 5; i++) {
                for (int k = 0; k < batched.dimension(); k++) {
                    assertThat(batched.features()[i][k]).isCloseTo(single.features()[i][k],
                            org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
            // different tiles give different features
            assertThat(batched.features()[0]).isNotEqualTo(batched.features()[1]);
        }
    }

    @Test
    void bagsAreWrittenAsClamAndResumed() throws Exception {
        Path out = dir.resolve("features");
        List<String> skipped = new ArrayList<>();
        FeatureListener listener = new FeatureListener() {
            @Override
            public void slideSkipped(String s, Path existing) {
                skipped.add(s);
            }
        };
        List<Path> slides = List.of(TestSlides.path(TestSlides.CMU), TestSlides.path(TestSlides.JP2K_RGB));
        java.util.function.Function<Slide, TileGrid> everyPatch = s -> Tiler.tile(s, null, TilingOptions.defaults()
                .withPatchSize(112)).first(3);
        List<Path> files = FeatureExtractor.extractAll(slides, SlideBackend.JAVA, everyPatch, encoder, 2, out,
                listener);
        assertThat(files).containsExactly(out.resolve("h5_files/CMU-1-Small-Region.h5"),
                out.resolve("h5_files/jp2k-rgb.h5"));
        FeatureBag bag = FeatureBag.read(files.get(0));
        assertThat(bag.size()).isEqualTo(3);
        assertThat(bag.dimension()).isEqualTo(encoder.dimension());
        CoordsFiles.H5Coords coords = CoordsFiles.readH5(files.get(0));
        assertThat(coords.attributes()).containsEntry("encoder", "tiny").containsEntry("patch_size", 112L);
        FileTime before = Files.getLastModifiedTime(files.get(0));
        FeatureExtractor.extractAll(slides, SlideBackend.JAVA, everyPatch, encoder, 2, out, listener);
        assertThat(skipped).containsExactly("CMU-1-Small-Region", "jp2k-rgb");
        assertThat(Files.getLastModifiedTime(files.get(0))).isEqualTo(before);
    }
}

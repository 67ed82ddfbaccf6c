package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.data.synth.SynthWorld;

/** Synthetic slides: readable pyramids whose tissue is where the plan put it, with answerable slide questions. */
class SyntheticSlidesTest {

    @TempDir
    static Path dir;

    static SynthWorld world;
    static SyntheticSlideSet.Result set;

    @BeforeAll
    static void writeSet() {
        world = SynthWorld.builtIn();
        set = SyntheticSlideSet.write(world, dir, new SyntheticSlideSet.Options(2, 3,
                new SyntheticSlides.Options(2048, 1536, 2, 1), 4, 128, TileSelector.Rule.TISSUE_DIVERSE, List.of()), null);
    }

    @Test
    void slidesArePyramidsWithTheirMpp() {
        assertThat(set.slides()).hasSize(2);
        for (Path p : set.slides()) {
            try (Slide s = TiffSlide.open(p)) {
                assertThat(s.width()).isEqualTo(2048);
                assertThat(s.levelCount()).isEqualTo(4); // 2048, 1024, 512, 256
                assertThat(s.mppX().orElseThrow()).isCloseTo(0.4677, org.assertj.core.data.Offset.offset(1e-3));
                assertThat(s.property("tiff.ImageDescription").orElseThrow()).contains("diagnosis = ");
            }
            assertThat(p.resolveSibling(p.getFileName().toString().replace(".tiff", ".json"))).exists();
        }
    }

    @Test
    void tissueIsFoundInsideThePlannedPieces() {
        SyntheticSlides.Spec spec = SyntheticSlides.plan(world, "synth-slide-0000", world.diagnoses().get(3 % world
                .diagnoses().size()), 3 * 7919, new SyntheticSlides.Options(2048, 1536, 2, 1));
        try (Slide s = TiffSlide.open(set.slides().get(0))) {
            TissueMask m = TissueDetector.detect(s, SyntheticSlideSet.TISSUE);
            assertThat(m.regions()).hasSizeBetween(3, 5);
            for (SyntheticSlides.Piece p : spec.pieces()) {
                // the middle of every piece is tissue, the glass around the pieces is not
                assertThat(m.fractionIn(p.x() + p.width() / 2.0 - 64, p.y() + p.height() / 2.0 - 64, 128, 128))
                        .isGreaterThan(0.9);
            }
            double inPieces = 0;
            for (SyntheticSlides.Piece p : spec.pieces()) {
                inPieces += (double) p.width() * p.height();
            }
            assertThat(m.tissueFraction()).isLessThan(inPieces / (2048.0 * 1536) + 0.03);
        }
    }

    @Test
    void questionsAndMultiImagePrompts() throws Exception {
        List<Sample> qs = SampleJsonl.read(set.questions());
        List<Sample> ps = SampleJsonl.read(set.prompts());
        assertThat(qs).hasSize(4);
        assertThat(ps).hasSize(4);
        for (int i = 0; i < qs.size(); i++) {
            Sample q = qs.get(i);
            Sample p = ps.get(i);
            assertThat(q.options()).hasSize(4);
            assertThat(q.answerText()).isEqualTo(q.options().get(q.answer().charAt(0) - 'A'));
            assertThat(q.meta().get(SlideQuestions.META_SLIDE)).asString().startsWith("slides/synth-slide-");
            assertThat(p.images()).hasSize(4);
            for (String img : p.images()) {
                assertThat(SampleJsonl.resolveImage(set.prompts(), img)).exists();
            }
            assertThat(p.question()).startsWith("These 4 images are regions of one whole-slide image");
            assertThat(p.answer()).isEqualTo(q.answer());
        }
        assertThat(qs.get(0).subset()).isEqualTo("slide_diagnosis");
        assertThat(Files.readAllLines(dir.resolve("labels.csv"))).hasSize(3).first().isEqualTo("slide_id,label");
        assertThat(qs.get(0).answerText().toLowerCase()).isEqualTo(world.name(qs.get(0).meta().get("diagnosis")
                .toString()).toLowerCase());
    }

    @Test
    void selectionPrefersTissueAndSpreads() {
        try (Slide s = TiffSlide.open(set.slides().get(1))) {
            TileGrid g = Tiler.tile(s, TissueDetector.detect(s, SyntheticSlideSet.TISSUE), TilingOptions.defaults()
                    .withPatchSize(128).withMinTissueFraction(0.3));
            assumeTrue(g.size() >= 8, "enough candidate patches");
            List<Integer> diverse = TileSelector.select(s, g, 6, TileSelector.Rule.TISSUE_DIVERSE);
            List<Integer> tissue = TileSelector.select(s, g, 6, TileSelector.Rule.TISSUE);
            assertThat(new HashSet<>(diverse)).hasSize(6);
            double best = 0;
            for (double f : g.tissueFractions()) {
                best = Math.max(best, f);
            }
            assertThat(g.tissueFractions()[diverse.get(0)]).isEqualTo(best);
            for (int i : tissue) {
                assertThat(g.tissueFractions()[i]).isGreaterThanOrEqualTo(g.tissueFractions()[tissue.get(5)]);
            }
            // diverse picks cover more of the slide than the six most-tissue ones
            assertThat(spread(g, diverse)).isGreaterThan(spread(g, tissue));
        }
    }

    private static double spread(TileGrid g, List<Integer> picks) {
        double total = 0;
        for (int a : picks) {
            for (int b : picks) {
                total += Math.hypot(g.coords().get(a)[0] - g.coords().get(b)[0],
                        g.coords().get(a)[1] - g.coords().get(b)[1]);
            }
        }
        return total;
    }
}

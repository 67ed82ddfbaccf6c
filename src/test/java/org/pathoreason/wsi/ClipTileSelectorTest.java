package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.train.clip.ClipTrainConfig;
import org.pathoreason.train.clip.ClipTrainer;
import org.pathoreason.train.clip.ClipTrainerTest;

/** CLIP-ranked patch selection: the brute-force cosine order, MMR's objective, and a trained CLIP finding patches. */
class ClipTileSelectorTest {

    static final Path OPENCLIP = Path.of("src/test/resources/org/pathoreason/model/clip/openclip");

    @Test
    void rankingIsTheBruteForceCosineOrderAndMmrMaximisesItsObjective() {
        try (Slide slide = TiffSlide.open(TestSlides.path(TestSlides.CMU));
             ClipPatchEncoder clip = ClipPatchEncoder.load(OPENCLIP)) {
            TileGrid grid = Tiler.tile(slide, TissueDetector.detect(slide, TissueOptions.biopsy()),
                    TilingOptions.defaults().withPatchSize(128).withMinTissueFraction(0.5)).first(40);
            assertThat(grid.size()).isGreaterThan(20);
            String q = "a photo of a cat";
            List<String> options = List.of("a dog", "pink tissue");
            // brute force: each patch on its own, cosines computed from raw norms
            List<float[]> texts = List.of(clip.texts(List.of(q))[0], clip.texts(List.of("a dog"))[0],
                    clip.texts(List.of("pink tissue"))[0]);
            double[] brute = new double[grid.size()];
            List<float[]> images = new ArrayList<>();
            for (int i = 0; i < grid.size(); i++) {
                float[] e = clip.encode(List.of(grid.read(slide, i)))[0];
                images.add(e);
                double best = -2;
                for (float[] t : texts) {
                    best = Math.max(best, cosine(e, t));
                }
                brute[i] = best;
            }
            List<Integer> order = IntStream.range(0, grid.size()).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -brute[i]).thenComparing(i -> i)).toList();

            ClipTileSelector.Ranking plain = new ClipTileSelector(clip, 0).rank(slide, grid, 6, q, options);
            for (int i = 0; i < grid.size(); i++) {
                assertThat(plain.relevance()[i]).isCloseTo(brute[i], org.assertj.core.data.Offset.offset(1e-5));
            }
            assertThat(plain.chosen()).isEqualTo(order.subList(0, 6));
            // the relevance differs between patches, so the order is not the index order by accident
            assertThat(plain.chosen()).isNotEqualTo(List.of(0, 1, 2, 3, 4, 5));

            double lambda = 0.5;
            List<Integer> mmr = new ClipTileSelector(clip, lambda).rank(slide, grid, 6, q, options).chosen();
            assertThat(mmr.get(0)).isEqualTo(order.get(0));
            for (int step = 1; step < mmr.size(); step++) {
                List<Integer> before = mmr.subList(0, step);
                double bestScore = -Double.MAX_VALUE;
                int best = -1;
                for (int i = 0; i < grid.size(); i++) {
                    if (before.contains(i)) {
                        continue;
                    }
                    double red = -2;
                    for (int j : before) {
                        red = Math.max(red, cosine(images.get(i), images.get(j)));
                    }
                    double s = (1 - lambda) * brute[i] - lambda * red;
                    if (s > bestScore) {
                        bestScore = s;
                        best = i;
                    }
                }
                assertThat(mmr.get(step)).as("MMR pick %d", step).isEqualTo(best);
            }
            assertThat(new ClipTileSelector(clip, lambda).name()).isEqualTo("clip-mmr");
        }
    }

    /**
     * A CLIP trained on coloured shapes ("a red square", ...) ranks the red-square patches of a slide of mixed
     * shapes first when asked for a red square, and the blue circles when asked for those.
     */
    @Test
    void trainedClipRanksThePatchesShowingWhatIsAskedFirst(@TempDir Path tmp) throws Exception {
        Path data = ClipTrainerTest.world(tmp.resolve("world"));
        List<String> o = ClipTrainerTest.tiny(80);
        ClipTrainer.Result r = new ClipTrainer(ClipTrainConfig.load(null, o), data, null, ClipTrainerTest.TOKENIZER,
                tmp.resolve("run")).run();
        // a 16 x 12 grid of 24-pixel fields, most of them green squares, four red squares, four blue circles
        int cell = 24;
        int cols = 16;
        int rows = 12;
        BufferedImage img = new BufferedImage(cols * cell, rows * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        Random rnd = new Random(11);
        List<Integer> red = List.of(5, 40, 97, 170);
        List<Integer> blue = List.of(20, 66, 130, 181);
        List<long[]> coords = new ArrayList<>();
        for (int i = 0; i < cols * rows; i++) {
            int x = (i % cols) * cell;
            int y = (i / cols) * cell;
            coords.add(new long[] {x, y});
            g.setColor(new Color(200 + rnd.nextInt(40), 200 + rnd.nextInt(40), 200 + rnd.nextInt(40)));
            g.fillRect(x, y, cell, cell);
            int off = rnd.nextInt(4);
            if (red.contains(i)) {
                g.setColor(Color.RED);
                g.fillRect(x + 4 + off, y + 4 + off, 14, 14);
            } else if (blue.contains(i)) {
                g.setColor(Color.BLUE);
                g.fillOval(x + 3 + off, y + 3 + off, 16, 16);
            } else {
                g.setColor(Color.GREEN);
                g.fillRect(x + 4 + off, y + 4 + off, 14, 14);
            }
        }
        g.dispose();
        Path tiff = tmp.resolve("shapes.tiff");
        PyramidTiffWriter.write(tiff, PyramidTiffWriter.source(img), PyramidTiffWriter.Options.defaults()
                .withCompression(PyramidTiffWriter.Compression.DEFLATE).withTileSize(64));
        double[] tissue = new double[coords.size()];
        java.util.Arrays.fill(tissue, 1.0);
        TileGrid grid = new TileGrid("shapes", img.getWidth(), img.getHeight(), coords, tissue, cell, 0, cell, cell,
                cell, TilingOptions.Resolution.level(0), 0, 0, 1, img.getWidth(), img.getHeight());
        try (Slide slide = TiffSlide.open(tiff); ClipPatchEncoder clip = ClipPatchEncoder.load(r.finalDir())) {
            ClipTileSelector selector = new ClipTileSelector(clip, 0);
            assertThat(selector.choose(slide, grid, 4, "a red square", List.of()))
                    .containsExactlyInAnyOrderElementsOf(red);
            assertThat(selector.choose(slide, grid, 4, "a blue circle", List.of()))
                    .containsExactlyInAnyOrderElementsOf(blue);
            // the tissue rule, which ignores the question, does not find them
            assertThat(TileSelector.select(slide, grid, 4, TileSelector.Rule.TISSUE)).doesNotContainAnyElementsOf(red);
        }
    }

    static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}

package org.pathoreason.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TileRendererTest {

    private static int[] pixels(BufferedImage img) {
        return ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    }

    @Test
    void rendersRgbTilesOfTheRequestedSize() {
        for (int size : new int[] {112, 224}) {
            BufferedImage img = new TileRenderer(size).render(EnumSet.of(Finding.NEUTROPHILS, Finding.FIBRIN), 3);
            assertThat(img.getWidth()).isEqualTo(size);
            assertThat(img.getHeight()).isEqualTo(size);
            assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        }
        assertThatThrownBy(() -> new TileRenderer(10)).hasMessageContaining("between 64 and 2048");
    }

    @Test
    void sameSeedSamePixelsOtherSeedOtherPixels() {
        TileRenderer r = new TileRenderer(112);
        Set<Finding> f = EnumSet.of(Finding.KERATIN_PEARLS, Finding.NUCLEAR_PLEOMORPHISM, Finding.MITOSES);
        assertThat(pixels(r.render(f, 42))).isEqualTo(pixels(r.render(f, 42)));
        assertThat(pixels(r.render(f, 42))).isNotEqualTo(pixels(r.render(f, 43)));
    }

    @Test
    void pixelsDoNotDependOnTheRenderingThread() throws Exception {
        TileRenderer r = new TileRenderer(112);
        List<Set<Finding>> cases = List.of(EnumSet.of(Finding.LYMPHOCYTES, Finding.PLASMA_CELLS),
                EnumSet.of(Finding.ATYPICAL_GLANDS, Finding.NUCLEAR_PLEOMORPHISM, Finding.NUCLEAR_DEBRIS),
                EnumSet.of(Finding.EPITHELIOID_HISTIOCYTES, Finding.CASEOUS_NECROSIS, Finding.GIANT_CELLS),
                EnumSet.of(Finding.GHOST_CELLS, Finding.HAEMORRHAGE));
        List<int[]> sequential = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            sequential.add(pixels(r.render(cases.get(i), 100 + i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<int[]>> parallel = new ArrayList<>();
            for (int i = cases.size() - 1; i >= 0; i--) {
                int k = i;
                parallel.add(0, pool.submit(() -> pixels(r.render(cases.get(k), 100 + k))));
            }
            for (int i = 0; i < cases.size(); i++) {
                assertThat(parallel.get(i).get()).isEqualTo(sequential.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyFindingAloneRendersTissueNotBlankGlass() {
        TileRenderer r = new TileRenderer(112);
        for (Finding f : Finding.values()) {
            int[] px = pixels(r.render(EnumSet.of(f), 9));
            int nearWhite = 0;
            double sum = 0;
            double sq = 0;
            for (int p : px) {
                int g = (p >> 8) & 0xff;
                if (g > 225) {
                    nearWhite++;
                }
                sum += g;
                sq += g * g;
            }
            double mean = sum / px.length;
            double sd = Math.sqrt(sq / px.length - mean * mean);
            assertThat(nearWhite).as(f + " blank share").isLessThan(px.length / 2);
            assertThat(sd).as(f + " texture").isGreaterThan(8);
        }
    }

    @Test
    void coloursLookLikeHaematoxylinAndEosin() {
        // In H&E the green channel is absorbed most (pink eosin, purple haematoxylin).
        double[] mean = meanRgb(new TileRenderer(112), EnumSet.of(Finding.LYMPHOCYTES, Finding.PLASMA_CELLS), 4);
        assertThat(mean[1]).isLessThan(mean[0]).isLessThan(mean[2]);
    }

    @Test
    void findingsLeaveTheirStainSignature() {
        TileRenderer r = new TileRenderer(112);
        // Blood: extravasated red cells raise the share of strongly red pixels.
        assertThat(redShare(r, EnumSet.of(Finding.NEUTROPHILS, Finding.HAEMORRHAGE)))
                .isGreaterThan(2 * redShare(r, EnumSet.of(Finding.NEUTROPHILS)) + 0.01);
        // Sheets of lymphoid cells are haematoxylin-blue and darker; a scar is eosin-pink.
        double[] sheets = meanRgb(r, EnumSet.of(Finding.LYMPHOID_SHEETS), 4);
        double[] scar = meanRgb(r, EnumSet.of(Finding.FIBROSIS), 4);
        assertThat(sheets[2] - sheets[0]).isGreaterThan(scar[2] - scar[0] + 40);
        assertThat(brightness(sheets)).isLessThan(brightness(scar));
        // Oedema is paler than dense collagen.
        double oedema = brightness(meanRgb(r, EnumSet.of(Finding.OEDEMA), 4));
        assertThat(oedema).isGreaterThan(brightness(scar) + 20);
    }

    private static double redShare(TileRenderer r, Set<Finding> f) {
        long red = 0;
        long all = 0;
        for (int seed = 0; seed < 4; seed++) {
            for (int p : pixels(r.render(f, seed))) {
                int cr = (p >> 16) & 0xff;
                int cg = (p >> 8) & 0xff;
                int cb = p & 0xff;
                if (cr > 150 && cg < 0.55 * cr && cb < 0.65 * cr) {
                    red++;
                }
                all++;
            }
        }
        return red / (double) all;
    }

    private static double[] meanRgb(TileRenderer r, Set<Finding> f, int seeds) {
        double[] sum = new double[3];
        long n = 0;
        for (int seed = 0; seed < seeds; seed++) {
            for (int p : pixels(r.render(f, seed))) {
                sum[0] += (p >> 16) & 0xff;
                sum[1] += (p >> 8) & 0xff;
                sum[2] += p & 0xff;
                n++;
            }
        }
        return new double[] {sum[0] / n, sum[1] / n, sum[2] / n};
    }

    private static double brightness(double[] rgb) {
        return (rgb[0] + rgb[1] + rgb[2]) / 3;
    }

    private static int differing(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }
}

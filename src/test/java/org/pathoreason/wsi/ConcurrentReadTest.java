package org.pathoreason.wsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Reads from several threads at once, through a cache too small to hold the slide, give the sequential pixels. */
class ConcurrentReadTest {

    @Test
    void parallelReadsEqualSequentialOnes() throws Exception {
        try (TiffSlide slide = TiffSlide.open(TestSlides.path(TestSlides.CMU), 2_000_000)) {
            Random r = new Random(7);
            List<long[]> regions = new ArrayList<>();
            List<int[]> expected = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                long[] xy = {r.nextInt(2000), r.nextInt(2700)};
                regions.add(xy);
                expected.add(Images.pixels(slide.readRegion(xy[0], xy[1], 0, 220, 220)).clone());
            }
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<Integer>> diffs = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < regions.size(); i++) {
                        int k = i;
                        diffs.add(pool.submit(() -> TestSlides.maxChannelDifference(expected.get(k), Images.pixels(
                                slide.readRegion(regions.get(k)[0], regions.get(k)[1], 0, 220, 220)))));
                    }
                }
                for (Future<Integer> d : diffs) {
                    assertThat(d.get()).isZero();
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}

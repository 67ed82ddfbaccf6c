package org.pathoreason.wsi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * readRegion throughput of the backends on one slide: {@code size x size} regions at level 0, read in raster order
 * over the slide's grid (sequential, wrapping round) and at uniformly random positions, each pattern on a freshly
 * opened slide with the same cache size (OpenSlide 3.4's default, 32 MiB) after an untimed warm-up; and cold, each
 * grid region once on a freshly opened slide (every tile decoded, nothing from the cache).
 */
public final class SlideBenchmark {

    /** OpenSlide 3.4.1's tile cache; the Java reader is given the same for a fair comparison. */
    public static final long CACHE_BYTES = 32L << 20;

    /** One measurement. */
    public record Row(SlideBackend backend, String access, int reads, double seconds) {
        public double readsPerSecond() {
            return reads / seconds;
        }
    }

    /** Tissue detection and tiling of the slide (default CLAM biopsy preset, 256-pixel patches at level 0). */
    public record Tiling(double tissueSeconds, double tilingSeconds, int patches, double patchReadsPerSecond) {
    }

    private SlideBenchmark() {
    }

    public static List<Row> run(Path slide, List<SlideBackend> backends, int reads, int size, long seed) {
        List<Row> rows = new ArrayList<>();
        for (SlideBackend b : backends) {
            try (Slide warm = open(slide, b)) {
                sequential(warm, Math.min(reads, 200), size);
                random(warm, Math.min(reads, 200), size, seed + 1);
            }
            // cold: every region of the grid once on a fresh slide, so every tile is decoded (no cache help)
            int cold = 0;
            long c0 = System.nanoTime();
            while (cold < Math.min(reads, 1000)) {
                try (Slide s = open(slide, b)) {
                    int n = gridSize(s, size);
                    sequential(s, n, size);
                    cold += n;
                }
            }
            rows.add(new Row(b, "cold", cold, (System.nanoTime() - c0) / 1e9));
            try (Slide s = open(slide, b)) {
                long t0 = System.nanoTime();
                sequential(s, reads, size);
                rows.add(new Row(b, "sequential", reads, (System.nanoTime() - t0) / 1e9));
            }
            try (Slide s = open(slide, b)) {
                long t0 = System.nanoTime();
                random(s, reads, size, seed);
                rows.add(new Row(b, "random", reads, (System.nanoTime() - t0) / 1e9));
            }
        }
        return rows;
    }

    public static Tiling tiling(Path slide, SlideBackend backend, int patchSize) {
        try (Slide s = open(slide, backend)) {
            long t0 = System.nanoTime();
            TissueMask m = TissueDetector.detect(s, TissueOptions.biopsy());
            long t1 = System.nanoTime();
            TileGrid g = Tiler.tile(s, m, TilingOptions.defaults().withPatchSize(patchSize));
            long t2 = System.nanoTime();
            for (int i = 0; i < g.size(); i++) {
                g.read(s, i);
            }
            long t3 = System.nanoTime();
            return new Tiling((t1 - t0) / 1e9, (t2 - t1) / 1e9, g.size(), g.size() / Math.max(1e-9, (t3 - t2) / 1e9));
        }
    }

    private static Slide open(Path p, SlideBackend b) {
        return b == SlideBackend.JAVA ? TiffSlide.open(p, CACHE_BYTES) : Slides.open(p, b);
    }

    private static long sink;

    private static int gridSize(Slide s, int size) {
        return (int) (Math.max(1, s.width() / size) * Math.max(1, s.height() / size));
    }

    private static void sequential(Slide s, int reads, int size) {
        int cols = (int) Math.max(1, s.width() / size);
        int rows = (int) Math.max(1, s.height() / size);
        for (int i = 0; i < reads; i++) {
            int k = i % (cols * rows);
            sink += s.readRegion((long) (k % cols) * size, (long) (k / cols) * size, 0, size, size).getRGB(0, 0);
        }
    }

    private static void random(Slide s, int reads, int size, long seed) {
        Random r = new Random(seed);
        long mx = Math.max(1, s.width() - size);
        long my = Math.max(1, s.height() - size);
        for (int i = 0; i < reads; i++) {
            long x = (long) (r.nextDouble() * mx);
            long y = (long) (r.nextDouble() * my);
            sink += s.readRegion(x, y, 0, size, size).getRGB(0, 0);
        }
    }
}

package org.pathoreason.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Measures fp32 matrix-multiply throughput, the yardstick other benchmarks compare against. */
public final class MatmulBenchmark {

    private MatmulBenchmark() {
    }

    /** GFLOP/s of an {@code n x n} by {@code n x n} fp32 matmul, best of {@code repeats} after one warm-up. */
    public static double gflops(int n, int repeats) {
        try (NDManager manager = Engines.newManager()) {
            NDArray a = manager.randomNormal(new Shape(n, n));
            NDArray b = manager.randomNormal(new Shape(n, n));
            a.matMul(b).close();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                NDArray c = a.matMul(b);
                c.toFloatArray(); // forces completion on lazy devices
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                c.close();
            }
            return 2.0 * n * n * (double) n / best / 1e9;
        }
    }
}

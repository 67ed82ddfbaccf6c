package org.pathoreason.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;

/** Thousands of full updates (forward, backward, accumulate, clip, AdamW, zero) leave no array behind. */
class MemoryFlatTest {

    @BeforeAll
    static void engine() {
        Engines.start();
    }

    /** Resident set size from /proc (Linux), 0 elsewhere; printed for information, too noisy to assert on. */
    private static long rssKiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    @Test
    void liveArrayCountStaysFlatOverThousandsOfSteps() {
        try (SingleThreaded st = new SingleThreaded(); NDManager root = Engines.newManager();
                ToyModel model = new ToyModel(root, 7, 64)) {
            TrainConfig cfg = new TrainConfig(0.01, 0.1, 0.9, 0.999, 1e-8, "cosine", 10, 0, 0.1, 2000, 1, 8, 2, 0.5,
                    3, true, 500, 3, 0, 1, false, false, false, 64, AdamW.DEFAULT_NO_DECAY);
            DataOrder order = new DataOrder(model.labels.length, cfg.seed(), true);
            DataOrder.Cursor cursor = order.cursor(DataPosition.START);
            try (ParameterUpdater updater = cfg.updater(model.params, cfg.maxSteps())) {
                int[] counts = new int[3];
                int[] baseline = null;
                long rssStart = 0;
                float firstLoss = 0;
                float lastLoss = 0;
                long start = System.nanoTime();
                long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                for (int step = 0; step < cfg.maxSteps(); step++) {
                    float loss = 0;
                    for (int micro = 0; micro < cfg.gradAccum(); micro++) {
                        loss += model.backward(root, cursor.nextBatch(cfg.batchSize()));
                    }
                    updater.step(1.0 / cfg.gradAccum());
                    if (step == 0) {
                        firstLoss = loss / cfg.gradAccum();
                    }
                    lastLoss = loss / cfg.gradAccum();
                    if (step == 10 || step == cfg.maxSteps() - 1) {
                        counts[0] = root.getManagedArrays().size();
                        counts[1] = updater.optimizer().liveArrays();
                        counts[2] = root.getParentManager().getManagedArrays().size(); // everything the engine holds
                        if (baseline == null) {
                            baseline = counts.clone();
                            rssStart = rssKiB();
                        }
                    }
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                long cpuMillis = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()
                        - cpuStart) / 1_000_000;
                System.out.printf("MemoryFlatTest: %d updates (%d micro-batches) in %d ms wall, %d ms cpu; "
                        + "live arrays %s; RSS %d -> %d KiB%n", cfg.maxSteps(), cfg.maxSteps() * cfg.gradAccum(), millis,
                        cpuMillis, java.util.Arrays.toString(counts), rssStart, rssKiB());
                assertThat(counts).containsExactly(baseline);
                assertThat(counts[0]).isEqualTo(model.params.size());
                assertThat(counts[1]).isEqualTo(2 * model.params.size());
                assertThat(lastLoss).isLessThan(firstLoss * 0.5f);
            }
        }
    }
}

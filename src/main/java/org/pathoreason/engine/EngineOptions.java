package org.pathoreason.engine;

/**
 * How the DJL/PyTorch engine is started.
 *
 * @param threads intra-op threads for PyTorch (0 = number of available processors)
 * @param device {@code cpu} or {@code cuda}
 * @param allowNativeDownload lets DJL fetch native libraries (e.g. CUDA builds); off by default so that nothing
 *     is downloaded behind the user's back
 */
public record EngineOptions(int threads, String device, boolean allowNativeDownload) {

    public EngineOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        if (!"cpu".equals(device) && !"cuda".equals(device)) {
            throw new IllegalArgumentException("device must be 'cpu' or 'cuda', got '" + device + "'");
        }
    }

    public static EngineOptions defaults() {
        return new EngineOptions(0, "cpu", false);
    }

    /** The intra-op thread count PyTorch runs with once started. */
    public int effectiveThreads() {
        if (threads != 0) {
            return threads;
        }
        String preset = System.getProperty("ai.djl.pytorch.num_threads");
        return preset != null ? Integer.parseInt(preset) : Runtime.getRuntime().availableProcessors();
    }
}

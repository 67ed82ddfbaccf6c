package org.pathoreason.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * Starts DJL's PyTorch engine once per JVM with PathoReason's rules: offline unless the user opts in, tracking
 * off, thread counts set before the natives load.
 */
public final class Engines {

    private static EngineOptions started;

    private Engines() {
    }

    /** Starts the engine with default options (offline, all cores, CPU), or returns the running one. */
    public static Engine start() {
        return start(EngineOptions.defaults());
    }

    /**
     * Starts the engine. The first call decides the options: PyTorch reads its thread settings only when its
     * natives load, so a later call with different options is refused rather than silently ignored.
     */
    public static synchronized Engine start(EngineOptions options) {
        if (started != null) {
            if (!started.equals(options) && !options.equals(EngineOptions.defaults())) {
                throw new IllegalStateException("engine already started with " + started + "; cannot restart with "
                        + options);
            }
            return Engine.getEngine("PyTorch");
        }
        applyGuards(options);
        Engine engine = Engine.getEngine("PyTorch");
        if ("cuda".equals(options.device()) && engine.getGpuCount() == 0) {
            throw new IllegalStateException("device 'cuda' requested but PyTorch sees no GPU; the bundled natives are "
                    + "CPU-only (run with --allow-native-download on a CUDA machine to let DJL fetch CUDA natives)");
        }
        started = options;
        return engine;
    }

    /** Sets the system properties DJL reads at start-up; public so that tests can assert them. */
    static void applyGuards(EngineOptions options) {
        // DJL reads OPT_OUT_TRACKING from the environment or system properties.
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", Boolean.toString(!options.allowNativeDownload()));
        // threads 0 keeps a value already given with -Dai.djl.pytorch.num_threads (the tests use 1, fastest for
        // tiny models), else all cores; see EngineOptions.effectiveThreads.
        String threads = Integer.toString(options.effectiveThreads());
        System.setProperty("ai.djl.pytorch.num_threads", threads);
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        // Keep the engine's own info logging quiet unless asked for.
        System.setProperty("ai.djl.default_engine", "PyTorch");
    }

    /** True when DJL will not attempt any network connection (offline mode, tracking off). */
    public static boolean offlineGuardOn() {
        return Boolean.parseBoolean(System.getProperty("ai.djl.offline"))
                && Boolean.parseBoolean(System.getProperty("OPT_OUT_TRACKING"));
    }

    public static synchronized EngineOptions options() {
        return started == null ? EngineOptions.defaults() : started;
    }

    /** The device chosen at start-up. */
    public static Device device() {
        start();
        return "cuda".equals(options().device()) ? Device.gpu() : Device.cpu();
    }

    /** A new root-level manager on the chosen device; close it (try-with-resources) when done. */
    public static NDManager newManager() {
        start();
        return NDManager.newBaseManager(device());
    }
}

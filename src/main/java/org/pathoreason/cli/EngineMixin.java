package org.pathoreason.cli;

import org.pathoreason.engine.EngineOptions;
import org.pathoreason.engine.Engines;
import picocli.CommandLine.Option;

/** Engine options shared by every command that runs the model. */
public final class EngineMixin {

    @Option(names = "--threads", description = "PyTorch intra-op threads (0 = all cores; default ${DEFAULT-VALUE}, "
            + "unless the command says otherwise).",
            defaultValue = "0")
    int threads;

    @Option(names = "--device", description = "cpu or cuda (default ${DEFAULT-VALUE}).", defaultValue = "cpu")
    String device;

    @Option(names = "--allow-native-download",
            description = "Let DJL download native libraries (e.g. CUDA builds). Off: nothing is fetched.")
    boolean allowNativeDownload;

    public EngineOptions options() {
        return new EngineOptions(threads, device, allowNativeDownload);
    }

    public void start() {
        Engines.start(options());
    }
}

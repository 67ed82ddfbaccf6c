package org.pathoreason.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.train.ConfigLoader;
import picocli.CommandLine.Option;

/**
 * The config options every training command shares: a YAML/JSON file and {@code --set key=value} overrides
 * (dotted keys for sections, e.g. {@code --set train.lr=2e-5}). Resolve with {@link #resolve}.
 */
public final class TrainConfigMixin {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Hyperparameters from a YAML or JSON file (unknown keys are errors).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one hyperparameter after the config file, e.g. --set lr=2e-5 "
                    + "(repeatable; dotted keys reach sections: --set train.batch_size=4).")
    List<String> overrides = new ArrayList<>();

    public Path configFile() {
        return config;
    }

    public List<String> overrides() {
        return List.copyOf(overrides);
    }

    /** Defaults, then the file, then the overrides. */
    public <T> ConfigLoader.Resolved<T> resolve(Class<T> type, T defaults) {
        return ConfigLoader.load(type, defaults, config, overrides);
    }
}

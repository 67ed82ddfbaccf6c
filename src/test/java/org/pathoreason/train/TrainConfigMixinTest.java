package org.pathoreason.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.cli.TrainConfigMixin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class TrainConfigMixinTest {

    @TempDir
    Path dir;

    @Command(name = "t")
    static final class Cmd {
        @Mixin
        TrainConfigMixin config;
    }

    @Test
    void parsesConfigFileAndRepeatedSets() throws Exception {
        Path yaml = dir.resolve("c.yml");
        Files.writeString(yaml, "lr: 1e-4\nbatch_size: 2\n");
        Cmd cmd = new Cmd();
        new CommandLine(cmd).parseArgs("--config", yaml.toString(), "--set", "batch_size=3", "--set",
                "freeze_vision=true");
        TrainConfig c = cmd.config.resolve(TrainConfig.class, TrainConfig.defaults()).config();
        assertThat(c.lr()).isEqualTo(1e-4);
        assertThat(c.batchSize()).isEqualTo(3);
        assertThat(c.freezeVision()).isTrue();
        assertThat(cmd.config.overrides()).containsExactly("batch_size=3", "freeze_vision=true");
    }
}

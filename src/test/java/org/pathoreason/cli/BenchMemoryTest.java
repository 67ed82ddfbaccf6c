package org.pathoreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.TinyEvalFixture;
import org.pathoreason.util.ProcessMemory;

class BenchMemoryTest {

    @Test
    void reportsLoadTimeAndResidentMemory(@TempDir Path tmp) throws Exception {
        Engines.start();
        TinyEvalFixture fixture = TinyEvalFixture.create(tmp);
        EvalCommandTest.Run run = EvalCommandTest.run(new BenchCommand(), "memory", "--model",
                fixture.checkpoint.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("parameters").contains("on disk").contains("load: ")
                .contains("peak during load");
        if (System.getProperty("os.name").startsWith("Linux")) {
            assertThat(ProcessMemory.residentBytes()).isPositive();
            assertThat(ProcessMemory.peakResidentBytes()).isGreaterThanOrEqualTo(ProcessMemory.residentBytes() / 2);
            assertThat(run.out()).doesNotContain("unknown");
        }
    }
}

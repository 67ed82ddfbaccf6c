package org.pathoreason.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void failedWriteKeepsOldContentAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("out.txt");
        AtomicFiles.writeString(target, "old");
        assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
            out.write("half".getBytes());
            throw new IOException("disk full");
        })).hasMessageContaining("out.txt").hasMessageContaining("disk full");
        assertThat(Files.readString(target)).isEqualTo("old");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void folderIsReplacedWholeOrNotAtAll() throws IOException {
        Path target = dir.resolve("ckpt");
        AtomicFiles.writeFolder(target, f -> Files.writeString(f.resolve("a.txt"), "1"));
        assertThatThrownBy(() -> AtomicFiles.writeFolder(target, f -> {
            Files.writeString(f.resolve("a.txt"), "2");
            throw new IOException("killed");
        })).hasMessageContaining("killed");
        assertThat(Files.readString(target.resolve("a.txt"))).isEqualTo("1");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
        AtomicFiles.writeFolder(target, f -> Files.writeString(f.resolve("b.txt"), "3"));
        assertThat(target.resolve("a.txt")).doesNotExist();
        assertThat(Files.readString(target.resolve("b.txt"))).isEqualTo("3");
    }
}

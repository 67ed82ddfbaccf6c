package org.pathoreason.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scratch files for fuzz tests, whose parsers read files rather than bytes: one folder per JVM, reused (and
 * overwritten) by every input so that fuzzing does not fill the disk; removed when the JVM exits.
 */
public final class FuzzFiles {

    private static final Path DIR = createDir();

    private FuzzFiles() {
    }

    private static Path createDir() {
        try {
            Path dir = Files.createTempDirectory("pathoreason-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder (created if needed) under the scratch folder, emptied of plain files. */
    public static Path folder(String name) {
        Path dir = DIR.resolve(name);
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(p)) {
                        Files.delete(p);
                    }
                }
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} to {@code name} in the scratch folder and returns its path. */
    public static Path write(String name, byte[] bytes) {
        return write(DIR, name, bytes);
    }

    /** Writes {@code bytes} to {@code name} in {@code dir} and returns its path. */
    public static Path write(Path dir, String name, byte[] bytes) {
        Path file = dir.resolve(name);
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        file.toFile().deleteOnExit();
        return file;
    }
}

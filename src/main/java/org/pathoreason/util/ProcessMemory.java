package org.pathoreason.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resident memory of this process as Linux reports it in {@code /proc/self/status}: {@code VmRSS} (now) and
 * {@code VmHWM} (the peak). Elsewhere the values are -1. {@link #resetPeak} starts a new peak
 * ({@code /proc/self/clear_refs}), so the peak of one phase (loading a checkpoint) can be measured apart from
 * JVM start-up.
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {
    }

    /** Resident bytes now, or -1 when the system does not say. */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    /** Peak resident bytes since start or the last {@link #resetPeak}, or -1 when the system does not say. */
    public static long peakResidentBytes() {
        return field("VmHWM:");
    }

    /** Starts a new peak; false when the system does not allow it (the peak then counts from process start). */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String line : lines) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L; // reported in kB
                }
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            // not Linux, or not readable: unknown
        }
        return -1;
    }
}

package org.pathoreason.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.pathoreason.util.Json;

/**
 * Appends predictions to a JSONL file as they are generated, one flushed line each, so that an interrupted run
 * loses at most the line being written. Opening rewrites the file with the predictions kept from a previous run
 * (see {@link Predictions#readForResume}), which drops a cut-short last line.
 */
public final class PredictionWriter implements AutoCloseable {

    private final BufferedWriter out;
    private final Path file;

    private PredictionWriter(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Starts or resumes {@code file}, keeping {@code kept} (normally what {@code readForResume} returned). */
    public static PredictionWriter resume(Path file, List<Prediction> kept) {
        Predictions.write(file, kept);
        try {
            return new PredictionWriter(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes one prediction and flushes it. */
    public synchronized void write(Prediction p) {
        try {
            out.write(Json.MAPPER.writeValueAsString(p));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }
}

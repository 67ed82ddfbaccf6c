package org.pathoreason.util;

import org.pathoreason.data.Task;

import java.util.Objects;

/**
 * Progress of long work, reported by library code to whatever listener the application installed: the CLI
 * installs one that draws console bars; a library user gets none (silent) unless it installs its own, e.g. to show
 * progress in a UI or a log. Library code never draws.
 */
public final class Progress {

    /** Receives progress; one {@link Task} per piece of long work. */
    public interface Listener {
        /** A piece of work of {@code total} units (e.g. steps, images) starts. */
        Task start(String name, long total, String unit);
    }

    /** One piece of work in progress; close it when the work ends. */
    public interface Task extends AutoCloseable {
        /** One more unit done. */
        default void step() {
            stepBy(1);
        }

        /** {@code n} more units done. */
        void stepBy(long n);

        /** The work has reached {@code done} units. */
        void stepTo(long done);

        /** The total turned out to be another. */
        void maxHint(long total);

        /** A short status shown beside the counts (loss, tokens/s, ...). */
        void setExtraMessage(String message);

        @Override
        void close();
    }

    private static final Task SILENT = new Task() {
        @Override
        public void stepBy(long n) {
        }

        @Override
        public void stepTo(long done) {
        }

        @Override
        public void maxHint(long total) {
        }

        @Override
        public void setExtraMessage(String message) {
        }

        @Override
        public void close() {
        }
    };

    /** Reports nothing. */
    public static final Listener NONE = (name, total, unit) -> SILENT;

    private static volatile Listener listener = NONE;

    private Progress() {
    }

    /** Installs the listener every later piece of work reports to (the CLI's console bars, a UI's). */
    public static void setListener(Listener l) {
        listener = Objects.requireNonNull(l, "listener");
    }

    public static Listener listener() {
        return listener;
    }

    /** Starts reporting a piece of work to the installed listener; close it when done (try-with-resources). */
    public static Task bar(String task, long total, String unit) {
        return listener.start(task, total, unit);
    }
}

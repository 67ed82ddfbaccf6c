package org.pathoreason.train;

import java.util.Locale;

/** What a run does with a sample it cannot use (malformed line, missing image, unknown option letter, ...). */
public enum OnBadSample {
    /** Report it (file and line) and go on without it; the count goes into {@code run.json} and the metrics. */
    SKIP,
    /** Report it and stop before training. */
    STOP;

    public static OnBadSample parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (OnBadSample p : values()) {
            if (p.name().equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("on_bad_sample must be skip or stop, got '" + name + "'");
    }
}

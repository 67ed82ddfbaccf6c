package org.pathoreason.util;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A console progress bar with rate and ETA on stderr, for long work. */
public final class Progress {

    private Progress() {
    }

    /** A bar over {@code total} units; close it when done (try-with-resources). */
    public static ProgressBar bar(String task, long total, String unit) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setMaxRenderedLength(100)
                .continuousUpdate()
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .build();
    }
}

package org.pathoreason.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.pathoreason.util.Progress;

/** Draws the library's progress as console bars with rate and ETA on stderr; the CLI installs it at start. */
final class ConsoleProgress implements Progress.Listener {

    @Override
    public Progress.Task start(String name, long total, String unit) {
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(name)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .setMaxRenderedLength(100)
                .continuousUpdate()
                .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .build();
        return new Progress.Task() {
            @Override
            public void stepBy(long n) {
                bar.stepBy(n);
            }

            @Override
            public void stepTo(long done) {
                bar.stepTo(done);
            }

            @Override
            public void maxHint(long t) {
                bar.maxHint(t);
            }

            @Override
            public void setExtraMessage(String message) {
                bar.setExtraMessage(message);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}

package org.pathoreason.train;

import java.util.Locale;

/**
 * Learning rate as a function of the optimiser update number, as Hugging Face's {@code LambdaLR} schedules
 * compute it: update {@code k} (0-based: the first update is 0) uses {@code peakLr * factor(k)}. With warmup the
 * first update therefore runs at learning rate 0, exactly as in transformers' Trainer.
 */
public interface LrSchedule {

    /** The learning rate for update {@code step} (0-based). */
    double lr(long step);

    /** The kinds a config can name. */
    enum Kind {
        CONSTANT, LINEAR, COSINE;

        public static Kind parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown lr schedule '" + name
                        + "' (expected constant, linear or cosine)");
            }
        }
    }

    /** Builds a schedule of the given kind; {@code minLrRatio} is used by cosine only. */
    static LrSchedule of(Kind kind, double peakLr, long warmupSteps, long totalSteps, double minLrRatio) {
        return switch (kind) {
            case CONSTANT -> constant(peakLr, warmupSteps);
            case LINEAR -> linear(peakLr, warmupSteps, totalSteps);
            case COSINE -> cosine(peakLr, warmupSteps, totalSteps, minLrRatio);
        };
    }

    /** Linear warmup, then constant: transformers' {@code get_constant_schedule_with_warmup}. */
    static LrSchedule constant(double peakLr, long warmupSteps) {
        check(peakLr, warmupSteps, Math.max(warmupSteps, 1));
        return step -> step < warmupSteps ? peakLr * warmup(step, warmupSteps) : peakLr;
    }

    /** Linear warmup, then linear decay to 0 at {@code totalSteps}: {@code get_linear_schedule_with_warmup}. */
    static LrSchedule linear(double peakLr, long warmupSteps, long totalSteps) {
        check(peakLr, warmupSteps, totalSteps);
        return step -> {
            if (step < warmupSteps) {
                return peakLr * warmup(step, warmupSteps);
            }
            return peakLr * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
        };
    }

    /**
     * Linear warmup, then half a cosine from the peak down to {@code minLrRatio * peakLr} at {@code totalSteps}:
     * transformers' {@code get_cosine_with_min_lr_schedule_with_warmup} (with {@code min_lr_rate}); a ratio of 0 is
     * {@code get_cosine_schedule_with_warmup}.
     */
    static LrSchedule cosine(double peakLr, long warmupSteps, long totalSteps, double minLrRatio) {
        check(peakLr, warmupSteps, totalSteps);
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw new IllegalArgumentException("min_lr_ratio must be in [0, 1], got " + minLrRatio);
        }
        return step -> {
            if (step < warmupSteps) {
                return peakLr * warmup(step, warmupSteps);
            }
            double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
            // transformers' num_cycles = 0.5: cos(pi * 2 * 0.5 * progress) falls from 1 to -1 once.
            double factor = 0.5 * (1.0 + Math.cos(Math.PI * progress));
            factor = factor * (1.0 - minLrRatio) + minLrRatio;
            return peakLr * Math.max(0.0, factor);
        };
    }

    private static double warmup(long step, long warmupSteps) {
        return (double) step / Math.max(1, warmupSteps);
    }

    private static void check(double peakLr, long warmupSteps, long totalSteps) {
        if (!(peakLr >= 0) || Double.isInfinite(peakLr)) {
            throw new IllegalArgumentException("learning rate must be a finite number >= 0, got " + peakLr);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmupSteps);
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("total steps must be > 0, got " + totalSteps);
        }
    }
}

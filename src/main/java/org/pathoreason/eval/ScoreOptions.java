package org.pathoreason.eval;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.pathoreason.text.extract.ExtractionMode;
import org.pathoreason.text.metrics.CaptionTokenizer;

/**
 * How predictions are scored.
 *
 * @param extraction how answers are read ({@code strict} by default, PathVLM-R1's rule)
 * @param randomFallback with {@code pathmmu} extraction, let PathMMU's seeded random letter stand in for a miss
 * @param metrics the figures to compute
 * @param captionTokenizer how open answers and references are tokenised before BLEU and ROUGE-L
 * @param confusionGroups samples whose subset or {@code meta.question_type} matches this (case-insensitive) go into
 *     the confusion matrix
 */
public record ScoreOptions(ExtractionMode extraction, boolean randomFallback, Set<Metric> metrics,
        CaptionTokenizer captionTokenizer, Pattern confusionGroups) {

    /** Subsets or question types about diagnosis. */
    public static final Pattern DIAGNOSIS = Pattern.compile("diagnos", Pattern.CASE_INSENSITIVE);

    public static final ScoreOptions DEFAULTS = new ScoreOptions(ExtractionMode.STRICT, false, Metric.all(),
            CaptionTokenizer.PTB, DIAGNOSIS);

    public ScoreOptions {
        Objects.requireNonNull(extraction, "extraction");
        metrics = metrics == null || metrics.isEmpty() ? Metric.all() : EnumSet.copyOf(metrics);
        captionTokenizer = captionTokenizer == null ? CaptionTokenizer.PTB : captionTokenizer;
        confusionGroups = confusionGroups == null ? DIAGNOSIS : confusionGroups;
    }

    public ScoreOptions withExtraction(ExtractionMode mode) {
        return new ScoreOptions(mode, randomFallback, metrics, captionTokenizer, confusionGroups);
    }

    public ScoreOptions withRandomFallback(boolean on) {
        return new ScoreOptions(extraction, on, metrics, captionTokenizer, confusionGroups);
    }

    public ScoreOptions withMetrics(Set<Metric> m) {
        return new ScoreOptions(extraction, randomFallback, m, captionTokenizer, confusionGroups);
    }

    public ScoreOptions withCaptionTokenizer(CaptionTokenizer t) {
        return new ScoreOptions(extraction, randomFallback, metrics, t, confusionGroups);
    }

    public boolean has(Metric m) {
        return metrics.contains(m);
    }
}

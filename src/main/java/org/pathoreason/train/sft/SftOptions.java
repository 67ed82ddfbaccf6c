package org.pathoreason.train.sft;

import org.pathoreason.train.OnBadSample;

import org.pathoreason.train.TrajectoryMasking;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import org.pathoreason.text.PromptStyle;

/**
 * The settings of continued pretraining and SFT beyond the shared {@link org.pathoreason.train.TrainConfig}; the
 * {@code sft:} section of a config file ({@code --set sft.target=observe-think-answer}).
 *
 * @param promptStyle {@code auto}, {@code cot}, {@code cod}, {@code think-answer}, {@code observe-think-answer} or
 *     {@code plain}; {@code auto} is {@code plain} for pretraining, {@code observe-think-answer} for that target and
 *     {@code cot} otherwise. Generation and evaluation must use the same style
 * @param target SFT assistant turn: {@code think-answer}, {@code observe-think-answer}, {@code answer} or
 *     {@code empty-think-answer}
 * @param answerStyle multiple-choice answer inside {@code <answer>}: {@code letter} ("B"), {@code letter-text}
 *     ("B. Chronic inflammation") or {@code text} ("Chronic inflammation"; for lenient scoring)
 * @param guidance {@code remove} (trajectory masking) or {@code keep} guidance in prompts; see
 *     {@link TrajectoryMasking}
 * @param guidancePattern regular expression of a guidance block in a question; empty for none
 * @param guidanceGraph a knowledge graph file; samples without {@code meta.guidance} get the graph's paths from
 *     their entities to their answer as guidance ({@link KgGuidance}), removed or kept like any guidance; empty
 *     for none
 * @param lossMaskTags tags ({@code observe}, {@code think}, {@code answer}) whose content carries no loss
 * @param shuffleOptions each epoch, present multiple-choice options in a new seeded order, answer and reasoning
 *     relabelled ({@link OptionShuffler}); validation keeps the file's order
 * @param onBadSample {@code skip} or {@code stop} on a sample that cannot be used
 * @param dataFormat {@code auto} (detected from the file) or a reader's name ({@code jsonl}, {@code llava}, ...)
 * @param valData a separate validation file (same formats); empty for none
 * @param valFraction when there is no {@code val_data}: the fraction of the training data held out (seeded)
 * @param valMaxSamples most validation samples scored at each evaluation (the first ones, always the same)
 * @param minPixels image pixel lower bound; 0 keeps the model's {@code preprocessor_config.json}
 * @param maxPixels image pixel upper bound; 0 keeps the model's {@code preprocessor_config.json}
 * @param imageCacheMb memory for preprocessed images; images beyond it are preprocessed again when used
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SftOptions(
        String promptStyle,
        String target,
        String answerStyle,
        String guidance,
        String guidancePattern,
        String guidanceGraph,
        List<String> lossMaskTags,
        boolean shuffleOptions,
        String onBadSample,
        String dataFormat,
        String valData,
        double valFraction,
        int valMaxSamples,
        long minPixels,
        long maxPixels,
        int imageCacheMb) {

    public SftOptions {
        promptStyle = promptStyle == null ? "auto" : promptStyle;
        if (!"auto".equalsIgnoreCase(promptStyle.trim())) {
            PromptStyle.parse(promptStyle);
        }
        TargetFormat.parse(require(target, "target"));
        AnswerStyle.parse(require(answerStyle, "answer_style"));
        TrajectoryMasking.Guidance.parse(require(guidance, "guidance"));
        guidancePattern = guidancePattern == null ? "" : guidancePattern;
        guidanceGraph = guidanceGraph == null ? "" : guidanceGraph;
        lossMaskTags = lossMaskTags == null ? List.of() : List.copyOf(lossMaskTags);
        TrajectoryMasking.parseTags(lossMaskTags);
        OnBadSample.parse(require(onBadSample, "on_bad_sample"));
        dataFormat = dataFormat == null ? "auto" : dataFormat;
        valData = valData == null ? "" : valData;
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("val_fraction must be in [0, 1), got " + valFraction);
        }
        if (valMaxSamples < 0) {
            throw new IllegalArgumentException("val_max_samples must be >= 0, got " + valMaxSamples);
        }
        if (minPixels < 0 || maxPixels < 0 || (minPixels > 0 && maxPixels > 0 && minPixels > maxPixels)) {
            throw new IllegalArgumentException("min_pixels and max_pixels must be >= 0 (0 = model default) with "
                    + "min_pixels <= max_pixels, got " + minPixels + " and " + maxPixels);
        }
        if (imageCacheMb < 0) {
            throw new IllegalArgumentException("image_cache_mb must be >= 0, got " + imageCacheMb);
        }
        // guidance_pattern is compiled here so that a bad pattern is a config error, not a training-time one
        new TrajectoryMasking(TrajectoryMasking.Guidance.REMOVE, guidancePattern, List.of());
    }

    private static String require(String value, String key) {
        if (value == null) {
            throw new IllegalArgumentException(key + " must be set");
        }
        return value;
    }

    /** Defaults: think-answer target, letter answers, guidance removed, no span masked, stop on bad data. */
    public static SftOptions defaults() {
        return new SftOptions("auto", TargetFormat.THINK_ANSWER.id(), AnswerStyle.LETTER.id(), "remove",
                TrajectoryMasking.DEFAULT_GUIDANCE_PATTERN, "", List.of(), false, "stop", "auto", "", 0.0, 256, 0, 0, 2048);
    }

    public TargetFormat targetFormat() {
        return TargetFormat.parse(target);
    }

    public AnswerStyle answerStyleValue() {
        return AnswerStyle.parse(answerStyle);
    }

    public OnBadSample onBadSampleValue() {
        return OnBadSample.parse(onBadSample);
    }

    /** The prompt style for a stage, {@code auto} resolved. */
    public PromptStyle promptStyleFor(Stage stage) {
        if (!"auto".equalsIgnoreCase(promptStyle.trim())) {
            return PromptStyle.parse(promptStyle);
        }
        if (stage == Stage.PRETRAIN) {
            return PromptStyle.PLAIN;
        }
        return targetFormat() == TargetFormat.OBSERVE_THINK_ANSWER ? PromptStyle.OBSERVE_THINK_ANSWER
                : PromptStyle.COT;
    }

    /** The trajectory masking these options describe. */
    public TrajectoryMasking masking() {
        return new TrajectoryMasking(TrajectoryMasking.Guidance.parse(guidance), guidancePattern,
                TrajectoryMasking.parseTags(lossMaskTags));
    }
}

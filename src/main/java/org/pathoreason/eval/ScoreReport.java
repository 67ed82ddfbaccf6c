package org.pathoreason.eval;

import org.pathoreason.data.Sample;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * The scores of a prediction set, as written to {@code metrics.json} by {@code score --json} and {@code eval}:
 * the overall figures at the top level ({@code accuracy}, {@code extraction_misses}, {@code n}, {@code bleu_1} ..
 * {@code bleu_4}, {@code rouge_l}, {@code mean_output_tokens}, ...; see {@link MetricSet}), the same figures per
 * subset under {@code subsets}, per task under {@code tasks} and per {@code meta.question_type} under
 * {@code question_types}, the diagnosis confusion matrix, and the ids that did not match.
 *
 * @param overall figures over every matched item
 * @param extraction the extraction mode used
 * @param randomFallback whether PathMMU's random fallback replaced misses
 * @param captionTokenizer how open answers were tokenised for BLEU/ROUGE-L
 * @param subsets per {@code Sample.subset}
 * @param tasks per task ({@code mcq}, {@code yesno}, {@code open}, {@code caption})
 * @param questionTypes per {@code meta.question_type}, when samples carry one
 * @param confusion the diagnosis confusion matrix, when there are diagnosis questions
 * @param unmatched samples without a prediction and predictions without a sample
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ScoreReport(
        @JsonUnwrapped MetricSet overall,
        String extraction,
        @JsonProperty("random_fallback") boolean randomFallback,
        @JsonProperty("caption_tokenizer") String captionTokenizer,
        Map<String, MetricSet> subsets,
        Map<String, MetricSet> tasks,
        @JsonProperty("question_types") Map<String, MetricSet> questionTypes,
        ConfusionMatrix confusion,
        Unmatched unmatched) {

    /**
     * Ids that did not pair up.
     *
     * @param samplesWithoutPrediction how many samples had no prediction (not scored)
     * @param predictionsWithoutSample how many predictions named no sample (ignored)
     * @param missingIds the first few sample ids without a prediction
     * @param unknownIds the first few prediction ids without a sample
     */
    public record Unmatched(
            @JsonProperty("samples_without_prediction") int samplesWithoutPrediction,
            @JsonProperty("predictions_without_sample") int predictionsWithoutSample,
            @JsonProperty("missing_ids") List<String> missingIds,
            @JsonProperty("unknown_ids") List<String> unknownIds) {

        public boolean any() {
            return samplesWithoutPrediction > 0 || predictionsWithoutSample > 0;
        }
    }

    /** Writes the report as pretty JSON, atomically. */
    public void write(Path file) {
        AtomicFiles.write(file, out -> Json.PRETTY.writeValue(out, this));
    }

    public String toJson() {
        try {
            return Json.PRETTY.writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise score report", e);
        }
    }
}

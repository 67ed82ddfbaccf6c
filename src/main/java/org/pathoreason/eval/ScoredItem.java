package org.pathoreason.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.pathoreason.data.Sample;
import org.pathoreason.text.extract.Extraction;

/**
 * The verdict on one prediction.
 *
 * @param sample the sample answered
 * @param prediction the prediction
 * @param extraction what was read from it (letter, yes/no, or the answer text of an open question)
 * @param correct for closed questions whether it is right; null for open questions and captions
 * @param reference the gold text an open answer is compared with; null for closed questions
 * @param tokenF1 SQuAD token F1 for open answers; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScoredItem(Sample sample, Prediction prediction, Extraction extraction, Boolean correct,
        String reference, @JsonProperty("token_f1") Double tokenF1) {

    /** A closed question (multiple choice or yes/no), counted in accuracy. */
    public boolean isClosed() {
        return correct != null;
    }

    public boolean isMiss() {
        return extraction.isMiss();
    }

    public String id() {
        return sample.id();
    }

    /** The sample's subset, or null. */
    public String subsetKey() {
        return sample.subset();
    }

    /** The sample's {@code meta.question_type}, or null. */
    public String questionTypeKey() {
        Object qt = sample.meta().get("question_type");
        return qt == null ? null : qt.toString();
    }
}

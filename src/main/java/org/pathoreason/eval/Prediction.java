package org.pathoreason.eval;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One model output for one sample: a line of a predictions JSONL file
 * ({@code {"id": ..., "prediction": ..., "output_tokens": ...}}).
 *
 * @param id the sample id it answers
 * @param prediction the full completion, tags included
 * @param outputTokens generated tokens, when the producer counted them (PathVLM-R1's response-length figure)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Prediction(String id, String prediction, @JsonProperty("output_tokens") Integer outputTokens) {

    public Prediction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prediction, "prediction");
    }
}

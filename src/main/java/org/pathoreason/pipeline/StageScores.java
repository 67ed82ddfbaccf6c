package org.pathoreason.pipeline;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * One stage's figures on the test split: a row of {@code results.json} and of the report's table.
 *
 * @param name the stage
 * @param accuracy share of closed questions (multiple choice, yes/no) answered right, the answer read from
 *     {@code <answer>} by the pipeline's extraction ({@link PipelineSettings#extraction()}); an answer that cannot
 *     be read counts as a uniform guess among the options (1/4, 1/2), so an untrained model scores chance, as with
 *     PathMMU's random fallback but without the draw
 * @param accuracyNoGuess the same with unreadable answers counted wrong (what the RL accuracy reward pays)
 * @param answerRate share of closed questions whose answer could be read from {@code <answer>}
 * @param chance the accuracy of guessing uniformly on these questions
 * @param formatRate share of completions that are exactly {@code <think>..</think><answer>..</answer>}
 * @param entityScore mean entity reward: soft Dice of the graph entities named in the reasoning against the
 *     sample's entities
 * @param judgeScore mean process score of the knowledge-graph rubric judge: the mean of its integrity and knowledge
 *     scores (a completion that names nothing keeps full knowledge, so it scores 0.5 at best)
 * @param meanOutputTokens mean generated tokens per completion
 * @param n test samples
 * @param nClosed closed questions among them
 * @param trainSeconds wall time of the stage's training (0 when it was made earlier)
 * @param evalSeconds wall time of its evaluation (0 when it was made earlier)
 * @param subsetAccuracy {@code accuracy} per question subset (e.g. diagnosis, feature, finding), in name order:
 *     the stages do not improve all kinds of question alike
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"name", "accuracy", "format_rate", "entity_score", "judge_score", "mean_output_tokens",
    "accuracy_no_guess", "answer_rate", "chance", "n", "n_closed", "train_seconds", "eval_seconds",
    "subset_accuracy"})
public record StageScores(String name, double accuracy, double accuracyNoGuess, double answerRate, double chance,
        double formatRate, double entityScore, double judgeScore, double meanOutputTokens, int n, int nClosed,
        double trainSeconds, double evalSeconds, Map<String, Double> subsetAccuracy) {

    public StageScores {
        subsetAccuracy = subsetAccuracy == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(subsetAccuracy));
    }

    public static final String FILE = "scores.json";

    public StageScores withTimes(double train, double eval) {
        return new StageScores(name, accuracy, accuracyNoGuess, answerRate, chance, formatRate, entityScore,
                judgeScore, meanOutputTokens, n, nClosed, train, eval, subsetAccuracy);
    }

    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, Json.PRETTY.writeValueAsString(this) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static StageScores read(Path file) {
        try {
            return Json.MAPPER.readValue(file.toFile(), StageScores.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read stage scores " + file + ": " + e.getMessage(), e);
        }
    }
}

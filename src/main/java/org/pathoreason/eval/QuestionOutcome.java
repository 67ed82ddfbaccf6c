package org.pathoreason.eval;

import org.pathoreason.data.Task;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * How one question of an evaluation went: a line of {@code questions.jsonl}, written beside {@code metrics.json},
 * so that two evaluations of the same questions can be compared question by question (paired tests) without
 * scoring the predictions again.
 *
 * @param id the sample id
 * @param subset the sample's subset, or null
 * @param correct for closed questions (multiple choice, yes/no) whether the verdict is right; null otherwise
 * @param answered whether an answer could be read from the completion (false: an extraction miss)
 * @param chance for closed questions the chance of a uniform guess among the options (1/4, 1/2); null otherwise
 * @param outputTokens generated tokens, when counted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuestionOutcome(String id, String subset, Boolean correct, boolean answered, Double chance,
        @JsonProperty("output_tokens") Integer outputTokens) {

    public static final String FILE = "questions.jsonl";

    public QuestionOutcome {
        Objects.requireNonNull(id, "id");
    }

    /** The outcome of a scored item. */
    public static QuestionOutcome of(ScoredItem it) {
        Double chance = null;
        if (it.isClosed()) {
            Sample s = it.sample();
            chance = 1.0 / (Task.MCQ.equals(s.task()) ? Math.max(1, s.options().size()) : 2);
        }
        return new QuestionOutcome(it.id(), it.subsetKey(), it.correct(), !it.isMiss(), chance,
                it.prediction().outputTokens());
    }

    /** A closed question, counted in accuracy. */
    @JsonIgnore
    public boolean isClosed() {
        return correct != null;
    }

    /** Right and read from the answer (an unreadable answer is never right here). */
    @JsonIgnore
    public boolean rightAnswer() {
        return answered && Boolean.TRUE.equals(correct);
    }

    /**
     * The question's share of the pipelines' accuracy: 1 right, 0 wrong, and the guessing chance when no answer
     * could be read.
     *
     * @throws IllegalStateException for an open question
     */
    @JsonIgnore
    public double credit() {
        if (!isClosed()) {
            throw new IllegalStateException("question " + id + " is open: it has no accuracy credit");
        }
        return answered ? (correct ? 1 : 0) : chance;
    }

    /** Writes outcomes atomically, one per line. */
    public static void write(Path file, List<QuestionOutcome> outcomes) {
        AtomicFiles.write(file, out -> {
            for (QuestionOutcome o : outcomes) {
                out.write(Json.MAPPER.writeValueAsBytes(o));
                out.write('\n');
            }
        });
    }

    /**
     * Reads a {@code questions.jsonl}.
     *
     * @throws DataException naming the file and line of a malformed line or a repeated id
     */
    public static List<QuestionOutcome> read(Path file) {
        List<QuestionOutcome> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                QuestionOutcome o;
                try {
                    o = Json.MAPPER.readValue(line, QuestionOutcome.class);
                } catch (IOException | RuntimeException e) {
                    throw DataException.at(file, no, "not a question outcome {\"id\", \"correct\", \"answered\", "
                            + "...}: " + e.getMessage());
                }
                if (!ids.add(o.id())) {
                    throw DataException.at(file, no, "repeated id '" + o.id() + "'");
                }
                if (o.isClosed() && o.chance() == null) {
                    throw DataException.at(file, no, "closed question '" + o.id() + "' has no 'chance'");
                }
                out.add(o);
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}

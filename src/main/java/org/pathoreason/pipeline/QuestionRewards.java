package org.pathoreason.pipeline;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.pathoreason.data.DataException;
import org.pathoreason.util.AtomicFiles;
import org.pathoreason.util.Json;

/**
 * The RL rewards of one test completion of a stage: a line of {@code STAGE/eval/rewards.jsonl}, beside the
 * evaluation's {@code questions.jsonl}, so that two stages can be compared question by question on the entity
 * score as on accuracy.
 *
 * @param id the test sample
 * @param format the format reward (1 when the completion is exactly {@code <think>..</think><answer>..</answer>})
 * @param entity the entity reward (soft Dice of the graph entities named in the reasoning)
 * @param process the knowledge-graph rubric judge's process score
 */
public record QuestionRewards(String id, double format, double entity, double process) {

    public static final String FILE = "rewards.jsonl";

    public QuestionRewards {
        Objects.requireNonNull(id, "id");
    }

    static void write(Path file, List<QuestionRewards> rows) {
        AtomicFiles.write(file, out -> {
            for (QuestionRewards r : rows) {
                out.write(Json.MAPPER.writeValueAsBytes(r));
                out.write('\n');
            }
        });
    }

    /** Reads a {@code rewards.jsonl}; a malformed line is a {@link DataException} naming file and line. */
    static List<QuestionRewards> read(Path file) {
        List<QuestionRewards> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (!line.isBlank()) {
                    try {
                        out.add(Json.MAPPER.readValue(line, QuestionRewards.class));
                    } catch (IOException | RuntimeException e) {
                        throw DataException.at(file, no, "not a rewards line {\"id\", \"format\", \"entity\", "
                                + "\"process\"}: " + e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}

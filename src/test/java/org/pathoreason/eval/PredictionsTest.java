package org.pathoreason.eval;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.DataException;
import org.pathoreason.data.Sample;

class PredictionsTest {

    @TempDir
    Path tmp;

    @Test
    void strictReadingNamesFileAndLine() throws IOException {
        Path f = tmp.resolve("p.jsonl");
        Files.writeString(f, "{\"id\": \"a\", \"prediction\": \"<answer>A</answer>\", \"output_tokens\": 5}\n\n"
                + "{\"id\": \"a\", \"prediction\": \"B\"}\n");
        assertThatThrownBy(() -> Predictions.read(f)).isInstanceOf(DataException.class)
                .hasMessageContaining("p.jsonl:3: duplicate prediction for id 'a'");
        Files.writeString(f, "{\"id\": \"a\", \"prediction\": \"x\", \"output_tokens\": -1}\n");
        assertThatThrownBy(() -> Predictions.read(f))
                .hasMessageContaining("p.jsonl:1: output_tokens for 'a' should be a non-negative integer");
        Files.writeString(f, "{\"prediction\": \"x\"}\n");
        assertThatThrownBy(() -> Predictions.read(f)).hasMessageContaining("p.jsonl:1: missing 'id'");
        Files.writeString(f, "{\"id\": \"a\", \"prediction\": \"x\"}\n{\"id\": \"b\", \"predic");
        assertThatThrownBy(() -> Predictions.read(f)).hasMessageContaining("p.jsonl:2: malformed JSON");
    }

    @Test
    void resumeDropsACutShortLastLineAndAppends() throws IOException {
        Path f = tmp.resolve("run/predictions.jsonl");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"id\": \"a\", \"prediction\": \"<answer>A</answer>\", \"output_tokens\": 7}\n"
                + "{\"id\": \"b\", \"prediction\": \"<think>cut sh");
        List<Prediction> kept = Predictions.readForResume(f);
        assertThat(kept).containsExactly(new Prediction("a", "<answer>A</answer>", 7));
        List<Sample> samples = List.of(sample("a"), sample("b"), sample("c"));
        assertThat(Predictions.pending(samples, kept)).extracting(Sample::id).containsExactly("b", "c");
        try (PredictionWriter w = PredictionWriter.resume(f, kept)) {
            w.write(new Prediction("b", "<answer>B</answer>", 9));
        }
        assertThat(Predictions.read(f)).extracting(Prediction::id).containsExactly("a", "b");
        assertThat(Predictions.readForResume(tmp.resolve("none.jsonl"))).isEmpty();
        // a bad line that is not the last one is still an error
        Files.writeString(f, "{\"id\": \"a\", \"predi\n{\"id\": \"b\", \"prediction\": \"x\"}\n");
        assertThatThrownBy(() -> Predictions.readForResume(f)).hasMessageContaining("predictions.jsonl:1:");
    }

    private static Sample sample(String id) {
        return new Sample(id, List.of(), "q", List.of("x", "y"), "A", "x", null, null, null, Task.MCQ, null,
                Map.of());
    }
}

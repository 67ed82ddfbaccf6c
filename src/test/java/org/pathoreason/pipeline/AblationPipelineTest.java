package org.pathoreason.pipeline;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.SampleJsonl;
import org.pathoreason.engine.Engines;
import org.pathoreason.eval.Predictions;
import org.pathoreason.eval.QuestionOutcome;
import org.pathoreason.util.Json;

/**
 * The reduced ablation end to end: the RL split the variants train on has answers but no chains of thought,
 * gamma and delta learn it in the empty-think format, every variant is evaluated with per-question files, and the
 * claims are tested on one seed.
 */
class AblationPipelineTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void engine() {
        Engines.start();
    }

    @Test
    void reducedAblationTrainsOnAnswerOnlyRlDataAndTestsTheClaims() throws Exception {
        Path out = dir.resolve("ablation");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Pipeline.Result r = Ablation.pipeline(out, PipelineSettings.smoke(), new PrintStream(log, true,
                StandardCharsets.UTF_8), false).run();

        // the RL split: answers only, in the world and in what the stages read; the SFT split keeps its chains
        List<Sample> rl = SampleJsonl.read(out.resolve("data/rl.jsonl"));
        assertThat(rl).isNotEmpty().allMatch(s -> s.reasoning() == null && s.answer() != null);
        assertThat(SampleJsonl.read(out.resolve("world/rl.jsonl"))).allMatch(s -> s.reasoning() == null);
        assertThat(SampleJsonl.read(out.resolve("data/sft.jsonl"))).allMatch(s -> Task.CAPTION.equals(s.task())
                || s.reasoning() != null && !s.reasoning().think().isBlank());

        // gamma and delta trained on it (every step logged, no sample refused) with the empty-think target
        for (String stage : List.of("gamma", "delta")) {
            assertThat(Files.readString(out.resolve(stage).resolve("run.json"))).contains("empty-think-answer");
            assertThat(Files.readAllLines(out.resolve(stage).resolve("metrics.jsonl"))).isNotEmpty();
        }
        assertThat(Files.readString(out.resolve("alpha/run.json"))).doesNotContain("empty-think-answer");

        int testSize = PipelineSettings.smoke().testSamples();
        for (StageSpec spec : Ablation.stages(PipelineSettings.smoke())) {
            Path eval = out.resolve(spec.name()).resolve("eval");
            assertThat(Predictions.read(eval.resolve("predictions.jsonl"))).hasSize(testSize);
            assertThat(QuestionOutcome.read(eval.resolve(QuestionOutcome.FILE))).hasSize(testSize);
            assertThat(QuestionRewards.read(eval.resolve(QuestionRewards.FILE))).hasSize(testSize);
        }
        assertThat(r.stages()).hasSize(8);

        JsonNode results = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        assertThat(results.get("claims")).hasSize(Ablation.CLAIMS.size());
        for (JsonNode c : results.get("claims")) {
            for (JsonNode p : c.get("parts")) {
                assertThat(p.get("interval").asText()).isEqualTo(ClaimTests.BOOTSTRAP_ONE_SEED);
                assertThat(p.get("seeds")).hasSize(1);
            }
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("claims on this seed", "beta > gamma",
                "final - beta entity > 0", "final - beta accuracy > -0.02");
        assertThat(Files.readString(r.reportFile())).contains("beta &gt; gamma");
    }
}

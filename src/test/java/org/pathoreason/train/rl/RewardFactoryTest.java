package org.pathoreason.train.rl;

import org.pathoreason.data.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.data.Sample;
import org.pathoreason.data.synth.SynthWorld;
import org.pathoreason.reward.RewardInput;
import org.pathoreason.reward.RewardResult;

class RewardFactoryTest {

    @TempDir
    Path tmp;

    private static final Sample SAMPLE = new Sample("s1", List.of(), "What is the most likely diagnosis?",
            List.of("Acute inflammation", "Chronic inflammation", "Squamous cell carcinoma"), "B",
            "Chronic inflammation", null, null, List.of("plasma cells with eccentric nuclei", "small round lymphocytes"),
            Task.MCQ, "diagnosis", Map.of());

    @Test
    void buildsEveryNamedTermWithItsWeight() {
        Path graph = tmp.resolve("graph.json");
        SynthWorld.builtIn().graph().writeJson(graph);
        Map<String, Double> w = new LinkedHashMap<>();
        w.put("format", 1.0);
        w.put("accuracy", 2.0);
        w.put("entity", 0.5);
        w.put("process", 1.0);
        w.put("length", 1.0);
        RewardOptions options = RewardOptions.grpo().withKnowledgeGraph(graph.toString()).withWeights(w);
        try (RewardFactory.Built built = RewardFactory.build(options, 100, tmp, tmp)) {
            assertThat(built.reward().terms()).extracting(t -> t.reward().name())
                    .containsExactly("format", "accuracy", "entity", "process", "length");
            String good = "<think>The tissue shows plasma cells with eccentric nuclei and small round lymphocytes, "
                    + "which point to chronic inflammation rather than acute inflammation or carcinoma.</think>"
                    + "<answer>B</answer>";
            RewardResult r = built.reward().score(new RewardInput(SAMPLE, good, 40, 100));
            assertThat(r.part("format")).isEqualTo(1.0);
            assertThat(r.part("accuracy")).isEqualTo(1.0);
            double entity = org.pathoreason.reward.EntityReward.forGraph(SynthWorld.builtIn().graph())
                    .score(RewardInput.of(SAMPLE, good)).value();
            assertThat(entity).isPositive();
            assertThat(r.part("entity")).isEqualTo(entity);
            assertThat(r.part("length")).isZero(); // 40 tokens of 100: before the overlong buffer (last 20)
            assertThat(r.part("process")).isBetween(0.0, 1.0);
            assertThat(r.value()).isCloseTo(1 + 2 + 0.5 * entity + r.part("process") + 0, within(1e-9));
            // at the limit the DAPO shaping takes the full penalty
            RewardResult cut = built.reward().score(new RewardInput(SAMPLE, "<think>plasma", 100, 100));
            assertThat(cut.part("length")).isEqualTo(-1.0);
            assertThat(cut.part("format")).isZero();
        }
    }
}

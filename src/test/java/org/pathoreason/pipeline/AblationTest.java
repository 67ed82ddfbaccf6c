package org.pathoreason.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ablation's variants are PathVLM-R1's Table 1: right parents, data and rewards (nothing is trained here). */
class AblationTest {

    @Test
    void variantsFollowTable1() {
        PipelineSettings s = PipelineSettings.quick();
        List<StageSpec> stages = Ablation.stages(s);
        assertThat(stages).extracting(StageSpec::name).containsExactly("init", "base", "alpha", "beta", "gamma",
                "delta", "epsilon", "final");
        Map<String, StageSpec> by = stages.stream().collect(Collectors.toMap(StageSpec::name, Function.identity()));
        assertThat(by.get("alpha")).extracting(StageSpec::kind, StageSpec::parent, StageSpec::data)
                .containsExactly(StageKind.SFT, "base", "sft");
        assertThat(by.get("beta")).extracting(StageSpec::kind, StageSpec::parent, StageSpec::data)
                .containsExactly(StageKind.GRPO, "alpha", "rl");
        assertThat(by.get("gamma")).extracting(StageSpec::kind, StageSpec::parent, StageSpec::data)
                .containsExactly(StageKind.SFT, "alpha", "rl");
        assertThat(by.get("delta")).extracting(StageSpec::kind, StageSpec::parent, StageSpec::data)
                .containsExactly(StageKind.SFT, "base", "rl");
        assertThat(by.get("epsilon")).extracting(StageSpec::kind, StageSpec::parent, StageSpec::data)
                .containsExactly(StageKind.GRPO, "base", "rl");
        assertThat(by.get("final")).extracting(StageSpec::kind, StageSpec::parent, StageSpec::data)
                .containsExactly(StageKind.GRPO, "alpha", "rl");

        // beta and epsilon: R1 rewards only; final: beta's recipe plus the process and entity rewards
        assertThat(by.get("beta").overrides()).isEqualTo(s.grpo()).doesNotContain("reward.weights.process=1.0");
        assertThat(by.get("epsilon").overrides()).isEqualTo(s.grpo());
        assertThat(by.get("final").overrides()).contains("reward.weights.process=1.0", "reward.weights.entity=0.5",
                "reward.weights.accuracy=1.0");
        assertThat(by.get("final").overrides().stream().filter(o -> !o.startsWith("reward.")).toList())
                .isEqualTo(s.grpo().stream().filter(o -> !o.startsWith("reward.")).toList());
        // gamma sees as many RL-split samples as beta sees prompts
        assertThat(by.get("gamma").overrides()).contains(grpoValue(s, "train.max_steps"),
                grpoValue(s, "train.batch_size"));
        // the RL split has no chains: gamma and delta learn its answers in the empty-think format
        assertThat(by.get("gamma").overrides()).contains("sft.target=empty-think-answer");
        List<String> delta = new java.util.ArrayList<>(s.sft());
        delta.add("sft.target=empty-think-answer");
        assertThat(by.get("delta").overrides()).isEqualTo(delta);
        assertThat(by.get("alpha").overrides()).noneMatch(o -> o.startsWith("sft.target="));
    }

    @Test
    void aPipelineRefusesAStageBeforeItsParent() {
        List<StageSpec> wrong = List.of(new StageSpec("sft", StageKind.SFT, "base", "sft", List.of(), ""),
                new StageSpec("base", StageKind.INIT, null, null, List.of(), ""));
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new Pipeline("t", "i", new Workspace(java.nio.file.Path.of("x"),
                PipelineSettings.smoke()), wrong, List.of(), log, false)).hasMessageContaining("does not come before it");
        assertThatThrownBy(() -> new StageSpec("Bad Name", StageKind.INIT, null, null, List.of(), ""))
                .hasMessageContaining("lower-case");
        assertThatThrownBy(() -> new StageSpec("sft", StageKind.SFT, null, "sft", List.of(), ""))
                .hasMessageContaining("parent");
    }

    private static String grpoValue(PipelineSettings s, String key) {
        return s.grpo().stream().filter(o -> o.startsWith(key + "=")).findFirst().orElseThrow();
    }
}

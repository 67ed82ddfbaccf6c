package org.pathoreason.train.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpoConfigTest {

    @TempDir
    Path tmp;

    @Test
    void dapoIsGrpoWithDapoDefaults() {
        RlOptions g = GrpoConfig.grpo().rl();
        RlOptions d = GrpoConfig.dapo().rl();
        assertThat(g.groupSize()).isEqualTo(4).isEqualTo(d.groupSize());
        assertThat(g.maxPromptLength()).isEqualTo(1024);
        assertThat(g.maxCompletionLength()).isEqualTo(1024);
        assertThat(g.clipHigh()).isEqualTo(0.2);
        assertThat(d.clipHigh()).isEqualTo(0.28);
        assertThat(g.lossAgg()).isEqualTo(LossAggregation.SEQ_MEAN_TOKEN_MEAN);
        assertThat(d.lossAgg()).isEqualTo(LossAggregation.TOKEN_MEAN);
        assertThat(g.usesReference()).isTrue();
        assertThat(d.usesReference()).isFalse();
        assertThat(g.dynamicSampling()).isFalse();
        assertThat(d.dynamicSampling()).isTrue();
        assertThat(d.dynamicSamplingMetric()).isEqualTo("accuracy");
        assertThat(GrpoConfig.grpo().reward().active()).containsOnlyKeys("format", "accuracy");
        assertThat(GrpoConfig.dapo().reward().active()).containsOnlyKeys("format", "accuracy", "length");
        assertThat(g.promptStyle()).isEqualTo("cot");
    }

    @Test
    void fileThenOverridesWithSwitchesSetAlone() throws Exception {
        Path file = tmp.resolve("rl.yaml");
        Files.writeString(file, """
                train:
                  lr: 2.0e-6
                  batch_size: 16
                rl:
                  group_size: 8
                  loss_agg: seq-mean-token-sum-norm
                  scale_adv_by_std: false
                reward:
                  weights: {entity: 0.5}
                  knowledge_graph: graph.json
                """);
        GrpoConfig c = GrpoConfig.load("grpo", file, List.of("rl.clip_high=0.28", "rl.dynamic_sampling=true",
                "reward.weights.format=0")).config();
        assertThat(c.train().lr()).isEqualTo(2e-6);
        assertThat(c.rl().groupSize()).isEqualTo(8);
        assertThat(c.rl().clipHigh()).isEqualTo(0.28);
        assertThat(c.rl().clipLow()).isEqualTo(0.2);
        assertThat(c.rl().dynamicSampling()).isTrue();
        assertThat(c.rl().klCoef()).isEqualTo(0.04); // the rest stays GRPO's
        assertThat(c.rl().advantages().scaleByStd()).isFalse(); // Dr. GRPO
        // Dr. GRPO's fixed normaliser defaults to the completion limit
        assertThat(c.rl().policyLoss().normaliser()).isEqualTo(1024);
        assertThat(c.reward().active()).containsExactly(java.util.Map.entry("accuracy", 1.0),
                java.util.Map.entry("entity", 0.5));
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> GrpoConfig.load("grpo", null, List.of("train.grad_accum=2")))
                .hasMessageContaining("grad_accum must be 1");
        assertThatThrownBy(() -> GrpoConfig.load("grpo", null, List.of("rl.old_logp=generation",
                "rl.temperature=0.8"))).hasMessageContaining("old_logp");
        assertThatThrownBy(() -> GrpoConfig.load("grpo", null, List.of("rl.loss_agg=mean")))
                .hasMessageContaining("unknown loss aggregation 'mean'");
        assertThatThrownBy(() -> GrpoConfig.load("dapo", null, List.of("reward.weights.accuracy=0")))
                .hasMessageContaining("dynamic_sampling_metric");
        assertThatThrownBy(() -> GrpoConfig.load("grpo", null, List.of("reward.weights.proces=1")))
                .hasMessageContaining("reward.weights").hasMessageContaining("proces");
        assertThatThrownBy(() -> GrpoConfig.load("grpo", null, List.of("rl.group_size=0")))
                .hasMessageContaining("rl.group_size must be an integer >= 1");
        assertThatThrownBy(() -> GrpoConfig.load("ppo", null, List.of())).hasMessageContaining("grpo or dapo");
    }
}

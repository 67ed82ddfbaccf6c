package org.pathoreason.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;
import org.pathoreason.model.qwen2vl.TinyModels;

class SpeedBenchmarkTest {

    @Test
    void theTrainingStepsAreTimedWholeAndInTheirParts() {
        SpeedBenchmark.Options o = new SpeedBenchmark.Options(6, 4, 4, 2, 2, List.of(1), 3,
                EnumSet.of(SpeedBenchmark.Measure.TRAIN, SpeedBenchmark.Measure.GRPO), 0);
        List<String> lines = new ArrayList<>();
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.random(TinyModels.config(false), 3, root)) {
            SpeedBenchmark.Report r = SpeedBenchmark.run(model, o, root, lines::add);
            assertThat(r.seconds()).containsOnlyKeys("train", "grpo");
            assertThat(r.parts()).containsOnlyKeys("train", "grpo");
            assertThat(r.parts().get("train")).containsOnlyKeys("forward", "backward", "update");
            assertThat(r.parts().get("grpo")).containsOnlyKeys("rollout", "update");
            for (String measure : List.of("train", "grpo")) {
                double[] step = r.seconds().get(measure);
                assertThat(step).hasSize(3);
                for (int i = 0; i < step.length; i++) {
                    double sum = 0;
                    for (double[] part : r.parts().get(measure).values()) {
                        assertThat(part[i]).as(measure).isPositive();
                        sum += part[i];
                    }
                    // the parts are the step: together within the step's own time, and most of it
                    assertThat(sum).as(measure).isLessThanOrEqualTo(step[i]).isGreaterThan(0.5 * step[i]);
                }
            }
            assertThat(lines).anyMatch(l -> l.startsWith("train")).anyMatch(l -> l.startsWith("grpo"));
        }
    }
}

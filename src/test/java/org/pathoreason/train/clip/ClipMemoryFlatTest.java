package org.pathoreason.train.clip;

import org.pathoreason.engine.GradientRecording;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.clip.ClipConfig;
import org.pathoreason.model.clip.ClipModel;
import org.pathoreason.train.LrSchedule;
import org.pathoreason.train.ParameterUpdater;

/** Training steps leave nothing behind: the root, the model's and the optimiser's arrays stay as many as before. */
class ClipMemoryFlatTest {

    @Test
    void arraysStayFlatOverManySteps() {
        ClipConfig c = ClipConfig.vit(16, 16, 8, 32, 1, 2, 8, 50, 32, 1, 2, -1);
        long[][] ids = new long[4][8];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 7; j++) {
                ids[i][j] = (i * 7 + j) % 49;
            }
            ids[i][3 + i] = 49; // end of text at different columns: rows of different lengths
        }
        Engine engine = Engine.getInstance();
        try (ClipModel model = ClipModel.random(c, 1); NDManager root = Engines.newManager();
             ParameterUpdater updater = new ParameterUpdater(model.parameters(),
                     ClipTrainConfig.defaults().train().adamW(), LrSchedule.constant(1e-3, 0), 1.0)) {
            NDArray pixels = root.randomNormal(new Shape(4, 3, 16, 16));
            int[] at5 = null;
            for (int step = 1; step <= 40; step++) {
                try (NDManager s = root.newSubManager(); GradientCollector gc = GradientRecording.open()) {
                    gc.backward(ClipLoss.symmetric(model, pixels, ids, s));
                }
                updater.step(1.0);
                model.clampLogitScale(Math.log(100));
                int[] counts = {root.getManagedArrays().size(), updater.optimizer().liveArrays(),
                    model.parameters().values().iterator().next().getManager().getManagedArrays().size()};
                if (step == 5) {
                    at5 = counts;
                } else if (step > 5) {
                    assertThat(counts).as("arrays alive after step %d", step).containsExactly(at5);
                }
            }
        }
    }
}

package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.io.SafetensorsReader;

/**
 * Compares our logits with those Hugging Face transformers computed for the same tiny random checkpoint and inputs
 * (see {@code tools/make_parity_fixture.py}); skipped when the fixture has not been generated.
 */
class ParityTest {

    static final Path FIXTURE = Path.of("src/test/resources/parity");

    @Test
    void logitsMatchTransformers() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(FIXTURE.resolve("inputs.safetensors")),
                "no parity fixture under " + FIXTURE + ": run tools/make_parity_fixture.py " + FIXTURE
                        + " on a machine with torch and transformers");
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.load(FIXTURE.resolve("model"), root);
             SafetensorsReader inputs = SafetensorsReader.open(FIXTURE.resolve("inputs.safetensors"))) {
            long[] idShape = inputs.info("input_ids").shape();
            int b = (int) idShape[0];
            int t = (int) idShape[1];
            long[] flatIds = inputs.readLongs("input_ids");
            long[] flatMask = inputs.readLongs("attention_mask");
            long[][] ids = new long[b][t];
            int[][] mask = new int[b][t];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    ids[i][j] = flatIds[i * t + j];
                    mask[i][j] = (int) flatMask[i * t + j];
                }
            }
            long[] grid = inputs.readLongs("image_grid_thw");
            List<int[]> grids = new ArrayList<>();
            for (int k = 0; k < grid.length; k += 3) {
                grids.add(new int[] {(int) grid[k], (int) grid[k + 1], (int) grid[k + 2]});
            }
            ModelInput input = new ModelInput(ids, mask, inputs.readFloats("pixel_values"), grids);
            float[] expected = inputs.readFloats("logits");
            float[] got;
            try (NDManager step = root.newSubManager()) {
                got = model.logits(input, step).toFloatArray();
            }
            int v = model.vocabSize();
            assertThat(got).hasSameSizeAs(expected);
            double worst = 0;
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    if (mask[i][j] == 0) {
                        continue; // transformers' logits at padding are not meaningful
                    }
                    for (int k = 0; k < v; k++) {
                        int at = (i * t + j) * v + k;
                        worst = Math.max(worst, Math.abs(got[at] - expected[at]));
                    }
                }
            }
            assertThat(worst).as("largest |logit difference| against transformers").isLessThan(1e-4);
        }
    }
}

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
 * Compares our logits with reference logits computed for the same tiny random checkpoint and inputs: those of
 * Hugging Face transformers ({@code tools/make_parity_fixture.py}; skipped when that fixture has not been
 * generated) and those of an independent NumPy forward pass ({@code tools/numpy_reference.py}; committed).
 */
class ParityTest {

    static final Path TRANSFORMERS = Path.of("src/test/resources/parity");
    static final Path NUMPY = Path.of("src/test/resources/numpy-reference");

    @Test
    void logitsMatchTransformers() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(TRANSFORMERS.resolve("inputs.safetensors")),
                "no parity fixture under " + TRANSFORMERS + ": run tools/make_parity_fixture.py " + TRANSFORMERS
                        + " on a machine with torch and transformers");
        assertThat(largestDifference(TRANSFORMERS)).as("largest |logit difference| against transformers")
                .isLessThan(1e-4);
    }

    @Test
    void logitsMatchTheNumpyReference() throws Exception {
        assertThat(largestDifference(NUMPY)).as("largest |logit difference| against the NumPy reference")
                .isLessThan(1e-4);
    }

    /** Largest absolute difference between our logits and the fixture's, over non-padding positions. */
    static double largestDifference(Path fixture) throws Exception {
        try (NDManager root = Engines.newManager();
             Qwen2VLModel model = Qwen2VLModel.load(fixture.resolve("model"), root);
             SafetensorsReader inputs = SafetensorsReader.open(fixture.resolve("inputs.safetensors"))) {
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
            double largest = 0;
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    if (mask[i][j] == 0) {
                        continue; // logits at padding are not meaningful in either implementation
                    }
                    for (int k = 0; k < v; k++) {
                        int at = (i * t + j) * v + k;
                        worst = Math.max(worst, Math.abs(got[at] - expected[at]));
                        largest = Math.max(largest, Math.abs(expected[at]));
                    }
                }
            }
            // logits far from zero, so that agreement to 1e-4 means something
            assertThat(largest).isGreaterThan(1.0);
            return worst;
        }
    }
}

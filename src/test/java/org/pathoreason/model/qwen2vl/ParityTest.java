package org.pathoreason.model.qwen2vl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.ModelInput;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.util.Json;

/**
 * Our Qwen2.5-VL against Hugging Face transformers on the committed fixture of {@code tools/make_parity_fixture.py}
 * (a tiny random checkpoint saved by transformers, the inputs it saw and what it computed; the library versions are
 * in {@code versions.json} and the file's metadata), and against the independent NumPy forward pass of
 * {@code tools/numpy_reference.py}.
 *
 * <p>Tolerance: the largest |difference| over real (non-padding) positions divided by the largest |reference
 * value| must stay below {@value #RELATIVE} (float32 throughout; measured about 1e-6). The fixture's logits reach
 * past 15, so an error in any part of the model moves them by far more.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParityTest {

    static final Path TRANSFORMERS = Path.of("src/test/resources/parity");
    static final Path NUMPY = Path.of("src/test/resources/numpy-reference");
    /** Largest |difference| relative to the largest |reference value|. */
    static final double RELATIVE = 1e-5;

    NDManager root;
    Qwen2VLModel model;
    SafetensorsReader fixture;
    JsonNode recorded;
    String versions;

    @BeforeAll
    void open() throws Exception {
        root = Engines.newManager();
        model = Qwen2VLModel.load(TRANSFORMERS.resolve("model"), root);
        fixture = SafetensorsReader.open(TRANSFORMERS.resolve("inputs.safetensors"));
        recorded = Json.MAPPER.readTree(TRANSFORMERS.resolve("versions.json").toFile());
        versions = "transformers " + recorded.path("transformers").asText() + ", torch "
                + recorded.path("torch").asText();
    }

    @AfterAll
    void close() {
        fixture.close();
        model.close();
        root.close();
    }

    @Test
    void fixtureRecordsTheReferenceVersions() {
        for (String library : List.of("transformers", "torch", "safetensors", "numpy", "pillow")) {
            assertThat(recorded.path(library).asText()).as(library).isNotBlank();
            assertThat(fixture.metadata()).containsEntry(library, recorded.path(library).asText());
        }
    }

    @Test
    void textOnlyLogitsMatchTransformers() {
        long[][] ids = rows(fixture, "text.input_ids");
        assertClose(against("text-only logits"), logits(new ModelInput(ids, ones(ids), new float[0], List.of())),
                fixture.readFloats("text.logits"), ones(ids), model.vocabSize());
    }

    @Test
    void oneImageLogitsMatchTransformers() {
        long[][] ids = rows(fixture, "image.input_ids");
        List<int[]> grid = grids(fixture).subList(0, 1);
        float[] pixels = Arrays.copyOf(fixture.readFloats("pixel_values"), patches(grid) * patchWidth());
        assertClose(against("one-image logits"), logits(new ModelInput(ids, ones(ids), pixels, grid)),
                fixture.readFloats("image.logits"), ones(ids), model.vocabSize());
    }

    @Test
    void leftPaddedBatchLogitsMatchTransformers() {
        ModelInput batch = batch();
        assertClose(against("left-padded batch logits"), logits(batch), fixture.readFloats("batch.logits"),
                batch.attentionMask(), model.vocabSize());
    }

    @Test
    void visionTowerFeaturesMatchTransformers() {
        float[] got;
        try (NDManager step = root.newSubManager()) {
            got = model.visionFeatures(fixture.readFloats("pixel_values"), grids(fixture), step).toFloatArray();
        }
        float[] expected = fixture.readFloats("vision.features");
        assertThat(got).hasSameSizeAs(expected);
        assertRelative(against("vision tower features"), got, expected);
    }

    @Test
    void kvCacheDecodeStepsMatchTransformersGenerate() {
        ModelInput batch = batch();
        long[] tokens = fixture.readLongs("decode.tokens");
        long[] shape = fixture.info("decode.logits").shape();
        int steps = (int) shape[0];
        int b = (int) shape[1];
        int v = (int) shape[2];
        float[] expected = fixture.readFloats("decode.logits");
        assertThat(b).isEqualTo(batch.batchSize());
        try (KvCache cache = model.newCache(b, batch.length() + steps, root)) {
            for (int s = 0; s < steps; s++) {
                float[] got;
                try (NDManager step = root.newSubManager()) {
                    NDArray logits;
                    if (s == 0) {
                        logits = model.prefill(batch, cache, step);
                    } else {
                        long[] next = new long[b];
                        for (int i = 0; i < b; i++) {
                            next[i] = tokens[i * steps + s - 1]; // what transformers chose at the step before
                        }
                        logits = model.decode(next, cache, step);
                    }
                    got = logits.toFloatArray();
                }
                float[] want = Arrays.copyOfRange(expected, s * b * v, (s + 1) * b * v);
                assertRelative(against("decode step " + s + " logits"), got, want);
                for (int i = 0; i < b; i++) {
                    assertThat(argmax(got, i * v, v)).as("greedy token of row %d at step %d", i, s)
                            .isEqualTo(tokens[i * steps + s]);
                }
            }
        }
    }

    @Test
    void logitsMatchTheNumpyReference() throws Exception {
        try (NDManager m = Engines.newManager();
             Qwen2VLModel numpyModel = Qwen2VLModel.load(NUMPY.resolve("model"), m);
             SafetensorsReader inputs = SafetensorsReader.open(NUMPY.resolve("inputs.safetensors"))) {
            long[][] ids = rows(inputs, "input_ids");
            int[][] mask = ints(rows(inputs, "attention_mask"));
            ModelInput input = new ModelInput(ids, mask, inputs.readFloats("pixel_values"), grids(inputs));
            float[] got;
            try (NDManager step = m.newSubManager()) {
                got = numpyModel.logits(input, step).toFloatArray();
            }
            assertClose("logits against the NumPy reference", got, inputs.readFloats("logits"), mask,
                    numpyModel.vocabSize());
        }
    }

    private String against(String what) {
        return what + " against " + versions;
    }

    private ModelInput batch() {
        long[][] ids = rows(fixture, "batch.input_ids");
        return new ModelInput(ids, ints(rows(fixture, "batch.attention_mask")), fixture.readFloats("pixel_values"),
                grids(fixture));
    }

    private float[] logits(ModelInput input) {
        try (NDManager step = root.newSubManager()) {
            return model.logits(input, step).toFloatArray();
        }
    }

    private int patchWidth() {
        return (int) fixture.info("pixel_values").shape()[1];
    }

    private static int patches(List<int[]> grids) {
        int n = 0;
        for (int[] g : grids) {
            n += g[0] * g[1] * g[2];
        }
        return n;
    }

    /** Compares {@code [B, T, V]} logits at the real positions of {@code mask}. */
    private void assertClose(String what, float[] got, float[] expected, int[][] mask, int vocab) {
        assertThat(got).as(what).hasSameSizeAs(expected);
        int t = mask[0].length;
        List<Float> gotReal = new ArrayList<>();
        List<Float> wantReal = new ArrayList<>();
        for (int i = 0; i < mask.length; i++) {
            for (int j = 0; j < t; j++) {
                if (mask[i][j] == 0) {
                    continue; // logits at padding mean nothing in either implementation
                }
                for (int k = 0; k < vocab; k++) {
                    int at = (i * t + j) * vocab + k;
                    gotReal.add(got[at]);
                    wantReal.add(expected[at]);
                }
            }
        }
        assertRelative(what, toArray(gotReal), toArray(wantReal));
    }

    private void assertRelative(String what, float[] got, float[] expected) {
        double worst = 0;
        double largest = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
            largest = Math.max(largest, Math.abs(expected[i]));
        }
        assertThat(largest).as("%s: largest |reference value| (a strict check needs large values)", what)
                .isGreaterThan(5.0);
        assertThat(worst / largest).as("%s: largest |difference| %s / largest |reference| %s", what, worst, largest)
                .isLessThan(RELATIVE);
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static long argmax(float[] values, int from, int count) {
        int best = from;
        for (int i = from; i < from + count; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best - from;
    }

    private static long[][] rows(SafetensorsReader reader, String name) {
        long[] shape = reader.info(name).shape();
        int b = (int) shape[0];
        int t = (int) shape[1];
        long[] flat = reader.readLongs(name);
        long[][] out = new long[b][t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * t, out[i], 0, t);
        }
        return out;
    }

    private static int[][] ints(long[][] rows) {
        int[][] out = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = Arrays.stream(rows[i]).mapToInt(x -> (int) x).toArray();
        }
        return out;
    }

    private static int[][] ones(long[][] ids) {
        int[][] out = new int[ids.length][ids[0].length];
        for (int[] row : out) {
            Arrays.fill(row, 1);
        }
        return out;
    }

    private static List<int[]> grids(SafetensorsReader reader) {
        long[] grid = reader.readLongs("image_grid_thw");
        List<int[]> out = new ArrayList<>();
        for (int k = 0; k < grid.length; k += 3) {
            out.add(new int[] {(int) grid[k], (int) grid[k + 1], (int) grid[k + 2]});
        }
        return out;
    }
}

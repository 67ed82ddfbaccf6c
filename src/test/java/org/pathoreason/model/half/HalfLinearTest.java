package org.pathoreason.model.half;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.DType;
import org.pathoreason.model.io.HalfFloats;
import org.pathoreason.model.io.SafetensorsWriter;

/**
 * The DJL bridge against DJL's own float32 linear and embedding on the same BF16-representable weights, read from a
 * mapped safetensors file: within 1e-5 relative (float32 summation order differs), exact for embeddings.
 */
class HalfLinearTest {

    @Test
    void linearAndEmbeddingMatchDjlOnTheSameWeights(@TempDir Path dir) throws Exception {
        Random rnd = new Random(5);
        int out = 23;
        int in = 41;
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16((float) rnd.nextGaussian()));
        }
        float[] bias = new float[out];
        for (int i = 0; i < out; i++) {
            bias[i] = (float) rnd.nextGaussian();
        }
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().put("w", DType.BF16, new long[] {out, in}, w).write(file);
        HalfKernels kernels = HalfKernels.get();
        try (NDManager m = Engines.newManager(); MappedWeights mapped = MappedWeights.open(file, kernels)) {
            WeightMatrix matrix = mapped.matrix("w");
            NDArray x = m.randomNormal(new Shape(2, 3, in));
            NDArray wa = m.create(w, new Shape(out, in));
            NDArray b = m.create(bias);
            float[] expected = x.getNDArrayInternal().linear(x, wa, b).singletonOrThrow().toFloatArray();
            NDArray got = HalfLinear.linear(kernels, x, matrix, b);
            assertThat(got.getShape()).isEqualTo(new Shape(2, 3, out));
            float[] g = got.toFloatArray();
            for (int i = 0; i < g.length; i++) {
                assertThat(g[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(expected[i]))));
            }
            long[][] ids = {{0, 5, 22}, {7, 7, 1}};
            NDArray e = HalfLinear.embedding(kernels, ids, matrix, m);
            assertThat(e.getShape()).isEqualTo(new Shape(2, 3, in));
            float[] rows = e.toFloatArray();
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < in; k++) {
                        assertThat(rows[(i * 3 + j) * in + k]).isEqualTo(w[(int) ids[i][j] * in + k]);
                    }
                }
            }
            assertThatThrownBy(() -> HalfLinear.embedding(kernels, new long[][] {{23}}, matrix, m))
                    .isInstanceOf(ModelException.class).hasMessageContaining("token id 23");
            assertThatThrownBy(() -> HalfLinear.linear(kernels, m.zeros(new Shape(1, 5)), matrix, null))
                    .isInstanceOf(ModelException.class).hasMessageContaining("5 features");
        }
    }
}

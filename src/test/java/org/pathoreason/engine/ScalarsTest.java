package org.pathoreason.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class ScalarsTest {

    @Test
    void givesTheValuesOfTheNumberOverloadsAndTheirGradients() {
        try (NDManager m = Engines.newManager()) {
            float[] v = {-2.5f, -0.3f, 0f, 0.7f, 3f};
            NDArray x = m.create(v).duplicate();
            // the same values, bit for bit, as DJL's own Number overloads (kept out of main code)
            assertThat(Scalars.mul(x, 1.7f).toFloatArray()).containsExactly(x.mul(1.7f).toFloatArray());
            assertThat(Scalars.div(x, 3f).toFloatArray()).containsExactly(x.div(3f).toFloatArray());
            assertThat(Scalars.maximum(x, 0f).toFloatArray()).containsExactly(x.maximum(0f).toFloatArray());
            assertThat(Scalars.rdiv(1f, x.add(5f)).toFloatArray())
                    .containsExactly(x.add(5f).getNDArrayInternal().rdiv(1f).toFloatArray());
            assertThat(Scalars.of(m, 2f).getDataType()).isEqualTo(DataType.FLOAT32);
            // backward through the scalar operand: d(x / 4)/dx = 1/4; d(max(x, 0))/dx = 1 where x > 0, and 1/2 at
            // the tie x = 0 (PyTorch splits the gradient between equal inputs)
            NDArray p = m.create(v).duplicate();
            p.setRequiresGradient(true);
            try (GradientRecording g = GradientRecording.open()) {
                g.backward(Scalars.div(p, 4f).sum().add(Scalars.maximum(p, 0f).sum()));
            }
            assertThat(p.getGradient().toFloatArray()).containsExactly(0.25f, 0.25f, 0.75f, 1.25f, 1.25f);
        }
    }
}

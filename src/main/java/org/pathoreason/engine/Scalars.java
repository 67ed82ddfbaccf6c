package org.pathoreason.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.BinaryOperator;

/**
 * Arithmetic with a Java number, the one way PathoReason does it: the number becomes a 0-d float32 tensor in
 * PyTorch's own memory.
 *
 * <p>Why not DJL's {@code x.mul(2f)}, {@code x.div(n)}: DJL makes the number an array over a JVM direct buffer and
 * closes it as soon as the operation returns, while autograd keeps the operand for backward (the gradient of
 * {@code x / n} is divided by {@code n}). Once the garbage collector has freed that buffer, backward reads freed
 * memory: the old value while nothing has reused it, a wrong gradient after. Seen in the demo with an evaluation
 * allocating on a second thread: GRPO's first gradient norm came out 0.095, where the same step alone gives 0.266.
 * Addition and subtraction save no operand and may take numbers directly.
 * {@code ArchitectureTest} keeps DJL's Number overloads of these operations out of the project.
 */
public final class Scalars {

    private Scalars() {
    }

    /** A 0-d float32 tensor holding {@code v}, in PyTorch's memory, owned by {@code manager}. */
    public static NDArray of(NDManager manager, float v) {
        return manager.full(new Shape(), v, DataType.FLOAT32);
    }

    /** {@code x * v}. */
    public static NDArray mul(NDArray x, float v) {
        return withScalar(x, v, NDArray::mul);
    }

    /** {@code x / v}. */
    public static NDArray div(NDArray x, float v) {
        return withScalar(x, v, NDArray::div);
    }

    /** {@code v / x}. */
    public static NDArray rdiv(float v, NDArray x) {
        return withScalar(x, v, (a, s) -> s.div(a));
    }

    /** Elementwise {@code max(x, v)}. */
    public static NDArray maximum(NDArray x, float v) {
        return withScalar(x, v, NDArray::maximum);
    }

    /** {@code op(x, v)} with {@code v} as a 0-d tensor closed after: autograd holds its own reference to it. */
    private static NDArray withScalar(NDArray x, float v, BinaryOperator<NDArray> op) {
        try (NDArray s = of(x.getManager(), v)) {
            return op.apply(x, s);
        }
    }
}

package org.pathoreason.train;

import org.pathoreason.engine.NoGrad;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Small PyTorch-level helpers the training parts share: gradient access without DJL's zero-filled stand-in, in-place
 * copies and a no-grad scope. They go through DJL's PyTorch JNI because DJL's engine-neutral API has no
 * equivalent (no {@code .grad is None} test, no {@code zero_()} of a gradient, no {@code copy_}).
 */
final class Tensors {

    private Tensors() {
    }

    /**
     * The gradient of {@code param} as a new handle the caller must close, or null when no backward pass has
     * reached it yet ({@code .grad is None} in PyTorch). DJL's {@code getGradient()} would return zeros there.
     * In the second case DJL's native code leaks a small handle (see {@link Gradients.Handles}).
     */
    static NDArray gradientOrNull(NDArray param) {
        return JniUtils.getGradient(pt(param));
    }

    /** Sets the gradient of {@code param} to zero in place ({@code grad.zero_()}); no-op when it has none. */
    static void zeroGradient(NDArray param) {
        JniUtils.zeroGrad(pt(param));
    }

    /**
     * Copies {@code source}'s values into {@code target} in place, keeping {@code target}'s storage, identity and
     * {@code requires_grad} flag ({@code target[...] = source} under no-grad).
     */
    static void copyInto(NDArray source, NDArray target) {
        if (!source.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("shape " + source.getShape() + " does not match " + target.getShape());
        }
        NoGrad.get(() -> {
            if (source.getDataType() == target.getDataType()) {
                target.set(new NDIndex("..."), source);
            } else {
                try (NDArray cast = source.toType(target.getDataType(), true)) {
                    target.set(new NDIndex("..."), cast);
                }
            }
            return null;
        });
    }

    /** The value of a one-element array as a double, without leaving a converted copy behind. */
    static double scalar(NDArray array) {
        return switch (array.getDataType()) {
            case FLOAT32 -> array.getFloat();
            case FLOAT64 -> array.getDouble();
            default -> {
                try (NDArray wide = array.toType(DataType.FLOAT64, true)) {
                    yield wide.getDouble();
                }
            }
        };
    }

    /** A copy of {@code source} in {@code manager}, converted to {@code type} on {@code device}. */
    static NDArray copyOf(NDArray source, NDManager manager, DataType type, Device device) {
        NDArray copy;
        if (source.getDataType() == type) {
            copy = manager.create(source.toByteBuffer(), source.getShape(), type);
        } else {
            try (NDArray cast = source.toType(type, true)) {
                copy = manager.create(cast.toByteBuffer(), source.getShape(), type);
            }
        }
        if (!copy.getDevice().equals(device)) {
            NDArray moved = copy.toDevice(device, true);
            copy.close();
            copy = moved;
        }
        return copy;
    }


    private static PtNDArray pt(NDArray array) {
        if (!(array instanceof PtNDArray p)) {
            throw new IllegalArgumentException("training needs PyTorch arrays, got " + array.getClass().getName());
        }
        return p;
    }
}

package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.function.BooleanSupplier;

/**
 * A linear map with trainable low-rank branches (LoRA): {@code base(x)} plus, for each part that has a branch,
 * {@code scaling * (dropout(x) A^T) B^T} in that part's output columns (a fused q/k/v map gives q, k and v their
 * own branches, as PEFT does with separate modules). Dropout applies only in passes autograd records (training);
 * each branch draws its own mask, as each PEFT module has its own dropout.
 */
final class LowRankLinear implements Linear {

    /** One part's branch: A {@code [r, in]}, B {@code [out, r]}, the scaling as a model constant, the dropout. */
    record Part(NDArray a, NDArray b, NDArray scaling, float dropout) {
    }

    private final Linear base;
    private final Part[] parts;
    private final BooleanSupplier enabled;

    /** @param parts one per {@link Linear#sizes()} entry of {@code base}; null where a part has no branch */
    LowRankLinear(Linear base, Part[] parts, BooleanSupplier enabled) {
        if (parts.length != base.sizes().length) {
            throw new IllegalArgumentException(parts.length + " branches for " + base.sizes().length + " maps");
        }
        this.base = base;
        this.parts = parts.clone();
        this.enabled = enabled;
    }

    Linear base() {
        return base;
    }

    Part[] parts() {
        return parts.clone();
    }

    @Override
    public NDArray apply(NDArray x, boolean gradMode) {
        NDArray y = base.apply(x, gradMode);
        if (!enabled.getAsBoolean()) {
            return y;
        }
        long[] sizes = base.sizes();
        NDList deltas = new NDList();
        for (int i = 0; i < parts.length; i++) {
            Part p = parts[i];
            if (p == null) {
                long[] shape = x.getShape().getShape();
                shape[shape.length - 1] = sizes[i];
                deltas.add(x.getManager().zeros(new Shape(shape)));
                continue;
            }
            NDArray in = gradMode && p.dropout() > 0
                    ? x.getNDArrayInternal().dropout(x, p.dropout(), true).singletonOrThrow() : x;
            deltas.add(Nn.linear(Nn.linear(in, p.a(), null), p.b(), null).mul(p.scaling()));
        }
        NDArray delta = deltas.size() == 1 ? deltas.get(0) : NDArrays.concat(deltas, -1);
        return y.add(delta);
    }

    @Override
    public long[] sizes() {
        return base.sizes();
    }
}

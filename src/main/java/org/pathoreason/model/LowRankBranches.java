package org.pathoreason.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * Trainable low-rank branches on a model's linear maps, the mechanism LoRA training uses
 * ({@code org.pathoreason.model.lora.LoraTraining} chooses the maps, draws the initial values and names the
 * arrays as PEFT does): a map {@code y = x W^T + b} with a branch computes
 * {@code y + scaling * (dropout(x) A^T) B^T}, dropout only in passes that autograd records. The base weights are
 * left as they are; the branches' arrays are the trainable parameters.
 */
public interface LowRankBranches {

    /**
     * A branch to add.
     *
     * @param weight the published name of the adapted weight ({@code model.layers.0.self_attn.q_proj.weight})
     * @param nameA  the name the A array gets (in {@link VisionLanguageModel#trainableParameters()})
     * @param nameB  the name of B
     * @param a      A {@code [rank, in]}, row-major float32
     * @param b      B {@code [out, rank]}, row-major float32
     */
    record Spec(String weight, String nameA, String nameB, int rank, float[] a, float[] b, double scaling,
            double dropout) {

        public Spec {
            if (rank <= 0) {
                throw new IllegalArgumentException("rank must be positive, got " + rank);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
            }
        }
    }

    /** One added branch: its weight and its float32 arrays A {@code [rank, in]} and B {@code [out, rank]}. */
    record Branch(String weight, NDArray a, NDArray b) {
    }

    /** {@code [out, in]} of every weight that can take a branch, by published name, in model order. */
    Map<String, long[]> adaptable();

    /**
     * Adds the branches (once per model); their arrays require gradients and are listed among the model's
     * trainable parameters under their names.
     *
     * @throws ModelException for a weight that cannot take a branch, a shape that does not fit, a second call
     */
    List<Branch> add(List<Spec> specs);

    /** The branches added, in the order given. */
    List<Branch> branches();

    /** Turns every branch on (the default) or off: off, the model computes its base maps alone. */
    void setEnabled(boolean enabled);

    boolean isEnabled();
}

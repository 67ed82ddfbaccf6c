package org.pathoreason.model;

/**
 * How a checkpoint's linear weights are held once opened ({@link CheckpointBundle.Options#weights}).
 *
 * <p>PyTorch through DJL has no usable 16-bit product on the CPU, so a BF16 or F16 checkpoint either becomes float32
 * arrays in PyTorch (twice its size on disk, trainable) or stays in its 16 bits, memory-mapped from the safetensors
 * shards, its linear products run by {@link org.pathoreason.model.half.HalfKernels} (half the memory, inference
 * only). See docs/half-precision.md.
 */
public enum WeightPrecision {
    /**
     * {@link #HALF} when the checkpoint's linear weights are stored in 16 bits (BF16 or F16) and no adapter is
     * merged in at load; {@link #FLOAT32} otherwise. What eval, generate, serve and the library's reasoner use.
     */
    AUTO,
    /** Every weight widened to a float32 array in PyTorch's memory: what training needs (autograd reaches it). */
    FLOAT32,
    /**
     * The linear weights (matrices) left in the checkpoint's files as stored, memory-mapped, and multiplied by the
     * 16-bit kernels with float32 accumulation; norms, biases and the patch embedding widened to float32. Inference
     * only: the model refuses training, merging and saving with an error that names {@link #FLOAT32}.
     */
    HALF
}

/**
 * The vision-language model API that trainers, generation and evaluation use, independent of the architecture.
 *
 * <h2>For trainers</h2>
 * <pre>{@code
 * try (NDManager root = Engines.newManager();
 *      Qwen2VLModel model = Qwen2VLModel.load(checkpointDir, root)) {      // or Qwen2VLModel.random(config, seed, root)
 *     model.setFrozen(ParameterGroup.VISION, true);                       // requiresGradient(false) on the group
 *     Map<String, NDArray> trainable = model.trainableParameters();      // what the optimiser updates
 *     for (...) {
 *         model.zeroGradients();                                          // PyTorch accumulates gradients
 *         ModelInput batch = ModelInput.padded(sequences, padId, false, patches, grids);   // right padding
 *         try (NDManager step = root.newSubManager();
 *              GradientCollector gc = GradientRecording.open()) {
 *             NDArray logProbs = model.tokenLogProbs(batch, firstTarget, step);   // [B, T - firstTarget]
 *             NDArray loss = ...;                                          // mask padding / prompt columns yourself
 *             gc.backward(loss);
 *         }
 *         // optimiser step on trainable.values(): close every array getGradient() returns
 *     }
 *     model.saveCheckpoint(outDir, new CheckpointContents().provenance(...).tokenizerJson(...));
 * }
 * }</pre>
 * Rules: every forward takes the step manager and attaches all it creates there; nothing lands in the model's own
 * manager (tested over repeated steps). Recording is per thread
 * ({@code GradientRecording}), so two threads may train two models side by side.
 *
 * <h2>For generation</h2>
 * {@link org.pathoreason.model.VisionLanguageModel#prefill} and {@link
 * org.pathoreason.model.VisionLanguageModel#decode} run a left-padded batch through a preallocated {@link
 * org.pathoreason.model.KvCache}; {@code org.pathoreason.generate.Generator} drives them.
 */
package org.pathoreason.model;


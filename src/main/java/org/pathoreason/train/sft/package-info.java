/**
 * Continued pretraining and supervised fine-tuning of a Qwen2.5-VL model, with PathReasoner-R1's trajectory
 * masking: the first two stages of Patho-R1, the SFT stage of PathVLM-R1 (vision encoder frozen with
 * {@code freeze_vision}) and PathReasoner-R1's masked-guidance SFT.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link org.pathoreason.train.sft.SftData}: reads canonical JSONL line by line or any reader format (LLaVA /
 *       ShareGPT conversations, PathMMU, ...), reports every unusable sample with file and line through a
 *       {@link org.pathoreason.train.BadSampleLog} ({@code on_bad_sample: skip|stop}), preprocesses each image
 *       once ({@link org.pathoreason.image.ImageCache}).</li>
 *   <li>{@link org.pathoreason.train.sft.ExampleBuilder}: sample to chat (system prompt, user turn with image(s),
 *       question and {@code "A. ..."} option lines, assistant target) to token ids and a loss mask.</li>
 *   <li>{@link org.pathoreason.train.TrajectoryMasking}: guidance removed from prompts, chosen target spans
 *       excluded from the loss; {@link org.pathoreason.train.sft.KgGuidance} computes guidance from a knowledge
 *       graph.</li>
 *   <li>{@link org.pathoreason.train.sft.SftCollator} / {@link org.pathoreason.train.sft.Batch}: right-padded
 *       batches with target masks, pixel patches and grids; {@link org.pathoreason.train.sft.SftLoss}: the target
 *       tokens' negative log-likelihood.</li>
 *   <li>{@link org.pathoreason.train.sft.SftTrainer}: the loop (AdamW, schedule, clipping, accumulation, seeded
 *       order, freezing, checkpoints, exact resume, metrics, validation loss, progress bar) on
 *       {@link org.pathoreason.train}'s parts; {@link org.pathoreason.train.sft.SftConfig} its config
 *       ({@code train:} and {@code sft:} sections).</li>
 * </ul>
 *
 * <h2>What carries loss</h2>
 * Only the assistant turn: its text and the closing {@code <|im_end|>}. Never the system or user turn, the image
 * pads, the {@code <|im_start|>assistant\n} header, the newline after {@code <|im_end|>}, or padding. With
 * {@code loss_mask_tags} the content between each chosen {@code <tag>} and {@code </tag>} is left out too (the
 * tags keep their loss). Guidance (a {@code <guidance>...</guidance>} block, or the texts in {@code meta.guidance})
 * is removed from the question before tokenising, so the model never sees it.
 *
 * <h2>Minimal use</h2>
 * <pre>{@code
 * ConfigLoader.Resolved<SftConfig> cfg = SftConfig.load(Path.of("sft.yaml"), List.of("train.lr=2e-5"));
 * SftTrainer.Result r = new SftTrainer(Stage.SFT, cfg, Path.of("sft.jsonl"), Path.of("ckpt"),
 *         Path.of("runs/sft-1")).run();
 * }</pre>
 */
package org.pathoreason.train.sft;


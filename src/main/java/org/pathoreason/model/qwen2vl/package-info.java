/**
 * Qwen2.5-VL in DJL NDArray operations (PyTorch engine), following Hugging Face transformers'
 * {@code modeling_qwen2_5_vl.py}: vision tower with 2-D rotary positions and window attention, 2 x 2 patch merger,
 * decoder with grouped-query attention and multimodal rotary positions ({@code mrope_section}), position ids for
 * mixed text and image sequences ({@link org.pathoreason.model.qwen2vl.RopeIndex}), window order
 * ({@link org.pathoreason.model.qwen2vl.WindowIndex}). Parameters use the published tensor names
 * ({@link org.pathoreason.model.qwen2vl.Qwen2VLParameters}); checkpoints of both naming layouts load, sharded or
 * not, BF16/F16 widened to float32.
 *
 * <p>Memory: parameters are float32, 4 bytes each: Qwen2.5-VL-3B (3.75 B parameters) needs about 15 GB, 7B
 * (8.29 B) about 33 GB, plus activations.
 */
package org.pathoreason.model.qwen2vl;


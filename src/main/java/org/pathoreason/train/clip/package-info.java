/**
 * Contrastive image-text training of the CLIP dual encoder ({@link org.pathoreason.train.clip.ClipTrainer}):
 * symmetric cross-entropy over the in-batch similarities ({@link org.pathoreason.train.clip.ClipLoss}), AdamW with
 * OpenCLIP's weight-decay exclusions, warm-up and cosine decay, {@code logit_scale} clamped to ln 100, checkpoints
 * and exact resume through the shared {@code train} parts; pairs from caption JSONL, LLaVA records or an
 * image,caption CSV ({@link org.pathoreason.train.clip.ClipPairs}).
 */
package org.pathoreason.train.clip;

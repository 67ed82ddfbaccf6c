/**
 * The CLIP dual encoder (Patho-CLIP, and the OpenCLIP family pathology uses: PLIP, QuiltNet and the like):
 * {@link org.pathoreason.model.clip.ClipModel} (ViT image tower, causal text transformer, learnable logit scale),
 * {@link org.pathoreason.model.clip.ClipConfig} (OpenCLIP's {@code open_clip_config.json} or a Hugging Face
 * {@code CLIPModel} config), {@link org.pathoreason.model.clip.ClipTokenizer} (fixed-length token rows from a
 * {@code tokenizer.json}) and {@link org.pathoreason.model.clip.ClipImageProcessor} (OpenCLIP's eval
 * preprocessing). Models load from OpenCLIP's layout or Hugging Face's and save in OpenCLIP's, which
 * {@code open_clip.create_model("local-dir:DIR")} reads back.
 */
package org.pathoreason.model.clip;

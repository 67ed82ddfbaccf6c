package org.pathoreason.model;

/** Parts of a vision-language model that can be frozen or trained on their own. */
public enum ParameterGroup {
    /** The vision tower: patch embedding and vision blocks. */
    VISION,
    /** The patch merger that maps vision features into the language model's width. */
    MERGER,
    /** The language model: embeddings, decoder layers, final norm and {@code lm_head}. */
    LANGUAGE
}

package org.pathoreason.model.lora;

import org.pathoreason.model.qwen2vl.Qwen2VLParameters;

/**
 * How an adapter names the modules of Qwen2.5-VL. Transformers before 4.52 built the model as
 * {@code model.layers.N...} and {@code visual.blocks.N...}; later versions nest them as
 * {@code model.language_model.layers.N...} and {@code model.visual.blocks.N...}. PEFT writes the paths of the model
 * it wrapped, so adapters of both kinds exist; both map onto the same parameters (the published tensor names).
 */
public enum ModuleLayout {
    /** {@code model.layers.N...}, {@code visual...}, {@code lm_head} (transformers before 4.52). */
    CLASSIC,
    /** {@code model.language_model.layers.N...}, {@code model.visual...}, {@code lm_head} (4.52 and later). */
    NESTED;

    /** The layout a module path is written in (a path that both layouts spell alike, such as lm_head, is CLASSIC). */
    public static ModuleLayout of(String modulePath) {
        return modulePath.startsWith("model.language_model.") || modulePath.startsWith("model.visual.") ? NESTED
                : CLASSIC;
    }

    /** The published parameter name of a module's weight: {@code <classic path>.weight}. */
    public static String parameter(String modulePath) {
        return Qwen2VLParameters.canonicalName(modulePath + ".weight");
    }

    /** The module path of a published weight name in this layout. */
    public String modulePath(String parameter) {
        if (!parameter.endsWith(".weight")) {
            throw new IllegalArgumentException("not a weight: " + parameter);
        }
        String path = parameter.substring(0, parameter.length() - ".weight".length());
        if (this == CLASSIC) {
            return path;
        }
        if (path.startsWith("visual.")) {
            return "model." + path;
        }
        if (path.startsWith("model.")) {
            return "model.language_model." + path.substring("model.".length());
        }
        return path;
    }
}

package org.pathoreason.train;

import ai.djl.ndarray.NDArray;
import java.util.EnumMap;
import java.util.Map;

/**
 * The freeze switches of a Qwen2.5-VL model: which part a parameter belongs to, by its Hugging Face name, and
 * turning gradients off for the frozen parts. The parts follow Qwen's own fine-tuning switches
 * ({@code tune_mm_vision}, {@code tune_mm_mlp}, {@code tune_mm_llm}): the vision tower ({@code visual.*} except
 * the merger), the patch merger ({@code visual.merger.*}) and the language model (everything else: decoder
 * layers, embeddings, final norm, {@code lm_head}). Both the published layout and the newer
 * {@code model.visual.*} / {@code model.language_model.*} one are recognised.
 */
public final class Freezing {

    /** The trainable parts of the model. */
    public enum Part { VISION, MERGER, LANGUAGE }

    private Freezing() {
    }

    /** The part that parameter {@code name} belongs to. */
    public static Part partOf(String name) {
        String n = name.startsWith("model.visual.") ? name.substring("model.".length()) : name;
        if (n.startsWith("visual.merger.")) {
            return Part.MERGER;
        }
        if (n.startsWith("visual.")) {
            return Part.VISION;
        }
        return Part.LANGUAGE;
    }

    /**
     * Turns gradients off for the parameters of the frozen parts; other parameters are left as they are.
     *
     * @return how many parameters each part has that still require a gradient
     */
    public static Map<Part, Integer> apply(Map<String, NDArray> params, boolean freezeVision, boolean freezeMerger,
            boolean freezeLanguage) {
        Map<Part, Integer> trainable = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            trainable.put(p, 0);
        }
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            Part part = partOf(e.getKey());
            boolean freeze = switch (part) {
                case VISION -> freezeVision;
                case MERGER -> freezeMerger;
                case LANGUAGE -> freezeLanguage;
            };
            if (freeze && e.getValue().hasGradient()) {
                e.getValue().setRequiresGradient(false);
            }
            if (e.getValue().hasGradient()) {
                trainable.merge(part, 1, Integer::sum);
            }
        }
        return trainable;
    }
}

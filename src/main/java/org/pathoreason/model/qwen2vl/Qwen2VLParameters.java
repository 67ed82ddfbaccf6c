package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.model.ParameterGroup;

/**
 * The parameters of a Qwen2.5-VL model, named as in the published checkpoints, with their shapes, groups and
 * initialisation. The single place that knows the names: random init, loading, saving and the forward pass all
 * go through it.
 */
public final class Qwen2VLParameters {

    /** How a parameter starts in a random model (as transformers' {@code _init_weights}). */
    public enum Init {
        /** normal(0, initializer_range): linear, conv and embedding weights */
        NORMAL,
        /** zeros: biases */
        ZERO,
        /** ones: RMS norm weights */
        ONE
    }

    /** One parameter: its published name, shape, group and initialisation. */
    public record Spec(String name, Shape shape, ParameterGroup group, Init init) {
    }

    private Qwen2VLParameters() {
    }

    /** All parameters in checkpoint order; {@code lm_head.weight} is absent when the embeddings are tied. */
    public static List<Spec> specs(Qwen2VLConfig config) {
        List<Spec> out = new ArrayList<>();
        Qwen2VLConfig.VisionConfig v = config.vision();
        int vh = v.hiddenSize();
        ParameterGroup vis = ParameterGroup.VISION;
        out.add(new Spec("visual.patch_embed.proj.weight",
                new Shape(vh, v.inChannels(), v.temporalPatchSize(), v.patchSize(), v.patchSize()), vis, Init.NORMAL));
        for (int i = 0; i < v.depth(); i++) {
            String p = "visual.blocks." + i + ".";
            out.add(new Spec(p + "norm1.weight", new Shape(vh), vis, Init.ONE));
            out.add(new Spec(p + "norm2.weight", new Shape(vh), vis, Init.ONE));
            out.add(new Spec(p + "attn.qkv.weight", new Shape(3L * vh, vh), vis, Init.NORMAL));
            out.add(new Spec(p + "attn.qkv.bias", new Shape(3L * vh), vis, Init.ZERO));
            out.add(new Spec(p + "attn.proj.weight", new Shape(vh, vh), vis, Init.NORMAL));
            out.add(new Spec(p + "attn.proj.bias", new Shape(vh), vis, Init.ZERO));
            out.add(new Spec(p + "mlp.gate_proj.weight", new Shape(v.intermediateSize(), vh), vis, Init.NORMAL));
            out.add(new Spec(p + "mlp.gate_proj.bias", new Shape(v.intermediateSize()), vis, Init.ZERO));
            out.add(new Spec(p + "mlp.up_proj.weight", new Shape(v.intermediateSize(), vh), vis, Init.NORMAL));
            out.add(new Spec(p + "mlp.up_proj.bias", new Shape(v.intermediateSize()), vis, Init.ZERO));
            out.add(new Spec(p + "mlp.down_proj.weight", new Shape(vh, v.intermediateSize()), vis, Init.NORMAL));
            out.add(new Spec(p + "mlp.down_proj.bias", new Shape(vh), vis, Init.ZERO));
        }
        ParameterGroup mer = ParameterGroup.MERGER;
        long merged = (long) vh * v.mergeUnit();
        out.add(new Spec("visual.merger.ln_q.weight", new Shape(vh), mer, Init.ONE));
        out.add(new Spec("visual.merger.mlp.0.weight", new Shape(merged, merged), mer, Init.NORMAL));
        out.add(new Spec("visual.merger.mlp.0.bias", new Shape(merged), mer, Init.ZERO));
        out.add(new Spec("visual.merger.mlp.2.weight", new Shape(v.outHiddenSize(), merged), mer, Init.NORMAL));
        out.add(new Spec("visual.merger.mlp.2.bias", new Shape(v.outHiddenSize()), mer, Init.ZERO));

        Qwen2VLConfig.TextConfig t = config.text();
        ParameterGroup lang = ParameterGroup.LANGUAGE;
        int h = t.hiddenSize();
        long kv = (long) t.numKvHeads() * t.headDim();
        out.add(new Spec("model.embed_tokens.weight", new Shape(t.vocabSize(), h), lang, Init.NORMAL));
        for (int i = 0; i < t.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            out.add(new Spec(p + "self_attn.q_proj.weight", new Shape(h, h), lang, Init.NORMAL));
            out.add(new Spec(p + "self_attn.q_proj.bias", new Shape(h), lang, Init.ZERO));
            out.add(new Spec(p + "self_attn.k_proj.weight", new Shape(kv, h), lang, Init.NORMAL));
            out.add(new Spec(p + "self_attn.k_proj.bias", new Shape(kv), lang, Init.ZERO));
            out.add(new Spec(p + "self_attn.v_proj.weight", new Shape(kv, h), lang, Init.NORMAL));
            out.add(new Spec(p + "self_attn.v_proj.bias", new Shape(kv), lang, Init.ZERO));
            out.add(new Spec(p + "self_attn.o_proj.weight", new Shape(h, h), lang, Init.NORMAL));
            out.add(new Spec(p + "mlp.gate_proj.weight", new Shape(t.intermediateSize(), h), lang, Init.NORMAL));
            out.add(new Spec(p + "mlp.up_proj.weight", new Shape(t.intermediateSize(), h), lang, Init.NORMAL));
            out.add(new Spec(p + "mlp.down_proj.weight", new Shape(h, t.intermediateSize()), lang, Init.NORMAL));
            out.add(new Spec(p + "input_layernorm.weight", new Shape(h), lang, Init.ONE));
            out.add(new Spec(p + "post_attention_layernorm.weight", new Shape(h), lang, Init.ONE));
        }
        out.add(new Spec("model.norm.weight", new Shape(h), lang, Init.ONE));
        if (!t.tieWordEmbeddings()) {
            out.add(new Spec("lm_head.weight", new Shape(t.vocabSize(), h), lang, Init.NORMAL));
        }
        return out;
    }

    /**
     * Maps a tensor name of either published layout to the classic one: {@code model.language_model.X} becomes
     * {@code model.X} and {@code model.visual.X} becomes {@code visual.X}; other names are kept.
     */
    public static String canonicalName(String name) {
        if (name.startsWith("model.language_model.")) {
            return "model." + name.substring("model.language_model.".length());
        }
        if (name.startsWith("model.visual.")) {
            return name.substring("model.".length());
        }
        return name;
    }
}

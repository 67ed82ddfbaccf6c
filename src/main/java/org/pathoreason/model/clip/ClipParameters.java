package org.pathoreason.model.clip;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of a CLIP dual encoder under OpenCLIP's {@code state_dict} names, with shapes and their
 * initialisation; the one place that knows the names. Loading, saving, random initialisation and the forward pass
 * go through it; {@link ClipWeights} maps Hugging Face's names onto these.
 */
public final class ClipParameters {

    /** Which tower a parameter belongs to. */
    public enum Tower {
        /** {@code visual.*}: what locking the image tower (LiT) freezes */
        IMAGE,
        /** the text transformer, its embeddings and projection */
        TEXT,
        /** {@code logit_scale} */
        SHARED
    }

    /** How a parameter starts in a random model. */
    public enum Init {
        /** normal(0, value) */
        NORMAL,
        /** every element {@code value} */
        CONSTANT
    }

    /**
     * One parameter.
     *
     * @param value the standard deviation of {@link Init#NORMAL}, the value of {@link Init#CONSTANT}
     */
    public record Spec(String name, Shape shape, Tower tower, Init init, double value) {
    }

    public static final String LOGIT_SCALE = "logit_scale";

    private ClipParameters() {
    }

    /**
     * Every parameter in OpenCLIP's order. Initial values follow OpenCLIP's text-tower rule in both towers:
     * attention in-projections std {@code width^-0.5}, output projections and {@code c_proj} std
     * {@code width^-0.5 (2 layers)^-0.5}, {@code c_fc} std {@code (2 width)^-0.5}, embedding projections std
     * {@code width^-0.5}, token embeddings 0.02, text positions 0.01, image class token and positions
     * {@code width^-0.5}; biases zero, LayerNorm gains one, layer scales and {@code logit_scale} as configured.
     */
    public static List<Spec> specs(ClipConfig config) {
        List<Spec> out = new ArrayList<>();
        ClipConfig.VisionConfig v = config.vision();
        int vw = v.width();
        double vScale = Math.pow(vw, -0.5);
        out.add(new Spec("visual.class_embedding", new Shape(vw), Tower.IMAGE, Init.NORMAL, vScale));
        out.add(new Spec("visual.positional_embedding", new Shape(v.tokens(), vw), Tower.IMAGE, Init.NORMAL,
                vScale));
        out.add(new Spec("visual.proj", new Shape(vw, config.embedDim()), Tower.IMAGE, Init.NORMAL, vScale));
        out.add(new Spec("visual.conv1.weight", new Shape(vw, 3, v.patchSize(), v.patchSize()), Tower.IMAGE,
                Init.NORMAL, Math.pow(3.0 * v.patchSize() * v.patchSize(), -0.5)));
        if (v.lnPre()) {
            norm(out, "visual.ln_pre", vw, Tower.IMAGE);
        }
        blocks(out, "visual.transformer", vw, v.layers(), v.mlpWidth(), v.layerScale(), Tower.IMAGE);
        norm(out, "visual.ln_post", vw, Tower.IMAGE);

        ClipConfig.TextConfig t = config.text();
        int tw = t.width();
        if (t.projection()) {
            if (t.projectionBias()) {
                out.add(new Spec("text_projection.weight", new Shape(config.embedDim(), tw), Tower.TEXT, Init.NORMAL,
                        Math.pow(tw, -0.5)));
                out.add(new Spec("text_projection.bias", new Shape(config.embedDim()), Tower.TEXT, Init.CONSTANT, 0));
            } else {
                out.add(new Spec("text_projection", new Shape(tw, config.embedDim()), Tower.TEXT, Init.NORMAL,
                        Math.pow(tw, -0.5)));
            }
        }
        out.add(new Spec(LOGIT_SCALE, new Shape(), Tower.SHARED, Init.CONSTANT, config.initLogitScale()));
        out.add(new Spec("positional_embedding", new Shape(t.contextLength(), tw), Tower.TEXT, Init.NORMAL, 0.01));
        out.add(new Spec("token_embedding.weight", new Shape(t.vocabSize(), tw), Tower.TEXT, Init.NORMAL, 0.02));
        blocks(out, "transformer", tw, t.layers(), t.mlpWidth(), t.layerScale(), Tower.TEXT);
        norm(out, "ln_final", tw, Tower.TEXT);
        return out;
    }

    private static void blocks(List<Spec> out, String prefix, int w, int layers, int mlp, Double layerScale,
            Tower tower) {
        double attnStd = Math.pow(w, -0.5);
        double projStd = attnStd * Math.pow(2.0 * layers, -0.5);
        double fcStd = Math.pow(2.0 * w, -0.5);
        for (int i = 0; i < layers; i++) {
            String p = prefix + ".resblocks." + i + ".";
            norm(out, p + "ln_1", w, tower);
            out.add(new Spec(p + "attn.in_proj_weight", new Shape(3L * w, w), tower, Init.NORMAL, attnStd));
            out.add(new Spec(p + "attn.in_proj_bias", new Shape(3L * w), tower, Init.CONSTANT, 0));
            out.add(new Spec(p + "attn.out_proj.weight", new Shape(w, w), tower, Init.NORMAL, projStd));
            out.add(new Spec(p + "attn.out_proj.bias", new Shape(w), tower, Init.CONSTANT, 0));
            if (layerScale != null) {
                out.add(new Spec(p + "ls_1.gamma", new Shape(w), tower, Init.CONSTANT, layerScale));
            }
            norm(out, p + "ln_2", w, tower);
            out.add(new Spec(p + "mlp.c_fc.weight", new Shape(mlp, w), tower, Init.NORMAL, fcStd));
            out.add(new Spec(p + "mlp.c_fc.bias", new Shape(mlp), tower, Init.CONSTANT, 0));
            out.add(new Spec(p + "mlp.c_proj.weight", new Shape(w, mlp), tower, Init.NORMAL, projStd));
            out.add(new Spec(p + "mlp.c_proj.bias", new Shape(w), tower, Init.CONSTANT, 0));
            if (layerScale != null) {
                out.add(new Spec(p + "ls_2.gamma", new Shape(w), tower, Init.CONSTANT, layerScale));
            }
        }
    }

    private static void norm(List<Spec> out, String prefix, int w, Tower tower) {
        out.add(new Spec(prefix + ".weight", new Shape(w), tower, Init.CONSTANT, 1));
        out.add(new Spec(prefix + ".bias", new Shape(w), tower, Init.CONSTANT, 0));
    }

    /** The tower of an OpenCLIP parameter name. */
    public static Tower towerOf(String name) {
        if (name.startsWith("visual.")) {
            return Tower.IMAGE;
        }
        return name.equals(LOGIT_SCALE) ? Tower.SHARED : Tower.TEXT;
    }
}

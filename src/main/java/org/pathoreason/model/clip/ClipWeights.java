package org.pathoreason.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.io.SafetensorsException;
import org.pathoreason.model.io.SafetensorsReader;
import org.pathoreason.model.io.TensorInfo;

/**
 * Reads a checkpoint's tensors into OpenCLIP's names ({@link ClipParameters}): OpenCLIP's own layout (a
 * {@code module.} prefix from distributed training tolerated, {@code text.} of {@code CustomTextCLIP} removed), or
 * Hugging Face's {@code CLIPModel} layout, whose separate q/k/v projections are joined into {@code in_proj_weight}
 * and whose {@code nn.Linear} embedding projections are transposed into OpenCLIP's matrices.
 */
final class ClipWeights {

    private ClipWeights() {
    }

    /** Every parameter of {@code config} as a float32 array in {@code manager}, by OpenCLIP name. */
    static Map<String, NDArray> read(ClipConfig config, SafetensorsReader reader, NDManager manager)
            throws SafetensorsException {
        Map<String, String> stored = config.layout() == ClipConfig.Layout.OPEN_CLIP ? openClipNames(config, reader)
                : null;
        Map<String, NDArray> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        TreeSet<String> used = new TreeSet<>();
        for (ClipParameters.Spec s : ClipParameters.specs(config)) {
            NDArray a = config.layout() == ClipConfig.Layout.OPEN_CLIP
                    ? single(reader, stored.get(s.name()), manager, used)
                    : huggingFace(config, reader, s.name(), manager, used);
            if (a == null) {
                missing.add(s.name());
                continue;
            }
            if (!a.getShape().equals(s.shape())) {
                throw new ModelException(reader.source() + ": tensor for '" + s.name() + "' has shape " + a.getShape()
                        + ", expected " + s.shape() + " from the model's config");
            }
            a.setName(s.name());
            out.put(s.name(), a);
        }
        if (!missing.isEmpty()) {
            out.values().forEach(NDArray::close);
            throw new ModelException(reader.source() + ": missing tensor for '" + missing.get(0) + "'"
                    + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more: " + preview(missing) + ")" : "")
                    + " in the " + config.layout().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + " layout");
        }
        List<String> unused = new ArrayList<>();
        for (String n : reader.names()) {
            if (!used.contains(n) && !ignorable(n)) {
                unused.add(n);
            }
        }
        if (!unused.isEmpty()) {
            out.values().forEach(NDArray::close);
            throw new ModelException(reader.source() + ": tensors that this CLIP config has no place for: "
                    + preview(unused) + " (does the config match the weights?)");
        }
        return out;
    }

    /** Buffers that checkpoints carry beside the parameters. */
    private static boolean ignorable(String name) {
        return name.endsWith("position_ids") || name.endsWith("attn_mask");
    }

    private static Map<String, String> openClipNames(ClipConfig config, SafetensorsReader reader) {
        Map<String, String> byCanonical = new LinkedHashMap<>();
        for (String name : reader.names()) {
            String n = name.startsWith("module.") ? name.substring("module.".length()) : name;
            if (config.customText() && n.startsWith("text.")) {
                n = n.substring("text.".length());
            }
            String previous = byCanonical.put(n, name);
            if (previous != null) {
                throw new ModelException(reader.source() + ": tensors '" + previous + "' and '" + name
                        + "' are the same parameter '" + n + "'");
            }
        }
        return byCanonical;
    }

    private static NDArray single(SafetensorsReader reader, String name, NDManager manager, TreeSet<String> used)
            throws SafetensorsException {
        if (name == null || !reader.contains(name)) {
            return null;
        }
        TensorInfo info = reader.info(name);
        if (!info.dtype().isFloatingPoint()) {
            throw new ModelException(reader.source() + ": tensor '" + name + "' has dtype "
                    + info.dtype().safetensorsName() + "; expected F32, F16 or BF16");
        }
        used.add(name);
        return reader.toNDArray(name, manager);
    }

    /** The OpenCLIP parameter {@code name} built from Hugging Face's tensors. */
    private static NDArray huggingFace(ClipConfig config, SafetensorsReader reader, String name, NDManager m,
            TreeSet<String> used) throws SafetensorsException {
        String hf = switch (name) {
            case "visual.class_embedding" -> "vision_model.embeddings.class_embedding";
            case "visual.positional_embedding" -> "vision_model.embeddings.position_embedding.weight";
            case "visual.conv1.weight" -> "vision_model.embeddings.patch_embedding.weight";
            case "visual.ln_pre.weight" -> "vision_model.pre_layrnorm.weight";
            case "visual.ln_pre.bias" -> "vision_model.pre_layrnorm.bias";
            case "visual.ln_post.weight" -> "vision_model.post_layernorm.weight";
            case "visual.ln_post.bias" -> "vision_model.post_layernorm.bias";
            case "positional_embedding" -> "text_model.embeddings.position_embedding.weight";
            case "token_embedding.weight" -> "text_model.embeddings.token_embedding.weight";
            case "ln_final.weight" -> "text_model.final_layer_norm.weight";
            case "ln_final.bias" -> "text_model.final_layer_norm.bias";
            case ClipParameters.LOGIT_SCALE -> ClipParameters.LOGIT_SCALE;
            default -> null;
        };
        if (hf != null) {
            return single(reader, hf, m, used);
        }
        if (name.equals("visual.proj") || name.equals("text_projection")) {
            String linear = name.equals("visual.proj") ? "visual_projection.weight" : "text_projection.weight";
            NDArray w = single(reader, linear, m, used);
            return w == null ? null : transposed(w, m);
        }
        String prefix;
        String rest;
        if (name.startsWith("visual.transformer.resblocks.")) {
            prefix = "vision_model.encoder.layers.";
            rest = name.substring("visual.transformer.resblocks.".length());
        } else if (name.startsWith("transformer.resblocks.")) {
            prefix = "text_model.encoder.layers.";
            rest = name.substring("transformer.resblocks.".length());
        } else {
            throw new ModelException(reader.source() + ": parameter '" + name + "' has no Hugging Face counterpart");
        }
        int dot = rest.indexOf('.');
        String layer = prefix + rest.substring(0, dot) + ".";
        String part = rest.substring(dot + 1);
        if (part.equals("attn.in_proj_weight") || part.equals("attn.in_proj_bias")) {
            String suffix = part.endsWith("weight") ? "weight" : "bias";
            NDArray q = single(reader, layer + "self_attn.q_proj." + suffix, m, used);
            NDArray k = single(reader, layer + "self_attn.k_proj." + suffix, m, used);
            NDArray v = single(reader, layer + "self_attn.v_proj." + suffix, m, used);
            if (q == null || k == null || v == null) {
                return null;
            }
            NDArray joined = q.concat(k, 0).concat(v, 0);
            q.close();
            k.close();
            v.close();
            return joined;
        }
        String mapped = switch (part) {
            case "attn.out_proj.weight" -> "self_attn.out_proj.weight";
            case "attn.out_proj.bias" -> "self_attn.out_proj.bias";
            case "ln_1.weight" -> "layer_norm1.weight";
            case "ln_1.bias" -> "layer_norm1.bias";
            case "ln_2.weight" -> "layer_norm2.weight";
            case "ln_2.bias" -> "layer_norm2.bias";
            case "mlp.c_fc.weight" -> "mlp.fc1.weight";
            case "mlp.c_fc.bias" -> "mlp.fc1.bias";
            case "mlp.c_proj.weight" -> "mlp.fc2.weight";
            case "mlp.c_proj.bias" -> "mlp.fc2.bias";
            default -> throw new ModelException(reader.source() + ": parameter '" + name
                    + "' has no Hugging Face counterpart");
        };
        return single(reader, layer + mapped, m, used);
    }

    private static NDArray transposed(NDArray w, NDManager m) {
        NDArray t = w.transpose().duplicate();
        t.attach(m);
        w.close();
        return t;
    }

    private static String preview(List<String> names) {
        return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }
}

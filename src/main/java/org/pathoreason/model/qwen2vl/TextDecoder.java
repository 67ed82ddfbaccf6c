package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.List;
import java.util.Map;
import org.pathoreason.model.KvCache;

/**
 * The Qwen2.5-VL language model: token embedding, decoder layers (RMSNorm, grouped-query attention with q/k/v
 * biases and multimodal rotary positions, SwiGLU MLP), final norm and {@code lm_head} (tied or not).
 */
final class TextDecoder {

    /** Largest mask (elements) built on the host; larger ones are built from a few broadcasting tensor ops. */
    private static final long HOST_MASK_LIMIT = 1 << 16;

    private final Qwen2VLConfig.TextConfig config;
    private final Map<String, NDArray> params;
    /** {@code inv_freq} of the rotary embedding (dim = head_dim, theta = rope_theta). */
    private final float[] invFreq;
    /** Which position axis (0 temporal, 1 height, 2 width) turns each rotary frequency ({@code mrope_section}). */
    private final int[] axisOfFrequency;

    TextDecoder(Qwen2VLConfig.TextConfig config, Map<String, NDArray> params, float[] invFreq) {
        this.config = config;
        this.params = params;
        this.invFreq = invFreq;
        List<Integer> section = config.mropeSection();
        this.axisOfFrequency = new int[invFreq.length];
        int j = 0;
        for (int axis = 0; axis < 3; axis++) {
            for (int k = 0; k < section.get(axis); k++) {
                axisOfFrequency[j++] = axis;
            }
        }
    }

    /** Token embeddings {@code [B, T, H]}. */
    NDArray embed(long[][] ids, NDManager manager) {
        int b = ids.length;
        int t = ids[0].length;
        long[] flat = new long[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                long id = ids[i][j];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new org.pathoreason.model.ModelException("token id " + id + " at row " + i + ", column " + j
                            + " is outside the vocabulary (size " + config.vocabSize() + ")");
                }
                flat[i * t + j] = id;
            }
        }
        NDArray idArray = manager.create(flat, new Shape(b, t));
        return Embedding.embedding(idArray, params.get("model.embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Rotary tables for the given positions, broadcasting over {@code [B, heads, T, headDim]}.
     *
     * @param positions {@code [3][B][T]}
     */
    Nn.Rotary rotary(long[][][] positions, NDManager manager) {
        int b = positions[0].length;
        int t = positions[0][0].length;
        int f = invFreq.length;
        float[] angles = new float[b * t * f];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                int at = (i * t + j) * f;
                for (int k = 0; k < f; k++) {
                    angles[at + k] = (float) positions[axisOfFrequency[k]][i][j] * invFreq[k];
                }
            }
        }
        Shape shape = new Shape(b, 1, t, f);
        return Nn.rotary(manager, angles, shape);
    }

    /**
     * Additive attention mask {@code [B, 1, 1, T, L]}: query column {@code start + i} may see key column {@code j}
     * when {@code j <= start + i} and key {@code j} is not padding.
     *
     * @param keyMask per row, 1/0 for the first {@code L} key columns
     */
    NDArray mask(int[][] keyMask, int keys, int start, int queries, NDManager manager) {
        if ((long) keyMask.length * queries * keys <= HOST_MASK_LIMIT) {
            // small (decoding steps): one array built here beats a dozen tiny tensor ops
            return hostMask(keyMask, keys, start, queries, manager);
        }
        return deviceMask(keyMask, keys, start, queries, manager);
    }

    static NDArray hostMask(int[][] keyMask, int keys, int start, int queries, NDManager manager) {
        int b = keyMask.length;
        float[] additive = new float[b * queries * keys];
        for (int i = 0; i < b; i++) {
            for (int q = 0; q < queries; q++) {
                int row = (i * queries + q) * keys;
                for (int j = 0; j < keys; j++) {
                    boolean allowed = j <= start + q && keyMask[i][j] == 1;
                    additive[row + j] = allowed ? 0f : Nn.MASKED;
                }
            }
        }
        return manager.create(additive, new Shape(b, 1, 1, queries, keys));
    }

    static NDArray deviceMask(int[][] keyMask, int keys, int start, int queries, NDManager manager) {
        int b = keyMask.length;
        boolean[] real = new boolean[b * keys];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < keys; j++) {
                real[i * keys + j] = keyMask[i][j] == 1;
            }
        }
        NDArray keyReal = manager.create(real, new Shape(b, 1, 1, 1, keys));
        NDArray keyIndex = manager.arange(0, keys, 1, DataType.INT64).reshape(1, keys);
        NDArray queryIndex = manager.arange(start, start + queries, 1, DataType.INT64).reshape(queries, 1);
        NDArray causal = keyIndex.lte(queryIndex).reshape(1, 1, 1, queries, keys);
        return Nn.additiveMask(causal.logicalAnd(keyReal));
    }

    /**
     * Runs the decoder layers and the final norm.
     *
     * @param hidden input embeddings {@code [B, T, H]}
     * @param rotary tables from {@link #rotary}
     * @param mask from {@link #mask}
     * @param cache null for a plain forward; otherwise the new keys/values are written at columns
     *     {@code start .. start + T} and attention runs over columns {@code 0 .. start + T}
     * @return normalised hidden states {@code [B, T, H]}
     */
    NDArray layers(NDArray hidden, Nn.Rotary rotary, NDArray mask, KvCache cache, int start, NDManager manager) {
        long b = hidden.getShape().get(0);
        long t = hidden.getShape().get(1);
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int groups = heads / kvHeads;
        int hd = config.headDim();
        double scale = 1.0 / Math.sqrt(hd);
        double eps = config.rmsNormEps();
        NDArray h = hidden;
        for (int l = 0; l < config.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            NDArray x = Nn.rmsNorm(h, params.get(p + "input_layernorm.weight"), eps);
            NDArray q = Nn.linear(x, params.get(p + "self_attn.q_proj.weight"), params.get(p + "self_attn.q_proj.bias"))
                    .reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray k = Nn.linear(x, params.get(p + "self_attn.k_proj.weight"), params.get(p + "self_attn.k_proj.bias"))
                    .reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
            NDArray v = Nn.linear(x, params.get(p + "self_attn.v_proj.weight"), params.get(p + "self_attn.v_proj.bias"))
                    .reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
            q = rotary.apply(q);
            k = rotary.apply(k);
            if (cache != null) {
                NDIndex write = new NDIndex(":, :, {}:{}", start, start + t);
                cache.keys(l).set(write, k);
                cache.values(l).set(write, v);
                NDIndex read = new NDIndex(":, :, :{}", start + t);
                k = cache.keys(l).get(read);
                v = cache.values(l).get(read);
                k.attach(manager);
                v.attach(manager);
            }
            long keys = k.getShape().get(2);
            // query heads of one kv head are adjacent: fold them into the query axis instead of repeating k and v
            NDArray qg = q.reshape(b, kvHeads, groups * t, hd);
            NDArray scores = qg.matMul(k.swapAxes(2, 3)).mul(scale).reshape(b, kvHeads, groups, t, keys).add(mask);
            NDArray probs = scores.softmax(-1).reshape(b, kvHeads, groups * t, keys);
            NDArray attn = probs.matMul(v).reshape(b, heads, t, hd).transpose(0, 2, 1, 3).reshape(b, t,
                    (long) heads * hd);
            h = h.add(Nn.linear(attn, params.get(p + "self_attn.o_proj.weight"), null));
            NDArray y = Nn.rmsNorm(h, params.get(p + "post_attention_layernorm.weight"), eps);
            h = h.add(Nn.swiGlu(y, params.get(p + "mlp.gate_proj.weight"), null, params.get(p + "mlp.up_proj.weight"),
                    null, params.get(p + "mlp.down_proj.weight"), null));
        }
        return Nn.rmsNorm(h, params.get("model.norm.weight"), eps);
    }

    /** Logits {@code [..., vocab]} of normalised hidden states. */
    NDArray lmHead(NDArray hidden) {
        NDArray w = config.tieWordEmbeddings() ? params.get("model.embed_tokens.weight") : params.get("lm_head.weight");
        return Nn.linear(hidden, w, null);
    }
}

package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pathoreason.model.KvCache;
import org.pathoreason.model.ModelException;

/**
 * The Qwen2.5-VL language model: token embedding, decoder layers (RMSNorm, grouped-query attention with q/k/v
 * biases and multimodal rotary positions, SwiGLU MLP), final norm and {@code lm_head} (tied or not).
 *
 * <p>Per layer, the weights are resolved once ({@link Layer}); q/k/v and gate/up each run as one matrix product
 * over weights fused at load ({@link Fused}).
 */
final class TextDecoder {

    /** Weights of one decoder layer. */
    record Layer(NDArray inputNorm, Linear qkv, Linear o, NDArray postNorm, Linear gateUp, Linear down) {
    }

    private final Qwen2VLConfig.TextConfig config;
    private final Linear embedding;
    private final Linear lmHead;
    private final NDArray finalNorm;
    private final List<Layer> layers;
    /** {@code inv_freq} of the rotary embedding (dim = head_dim, theta = rope_theta). */
    private final float[] invFreq;
    /** Which position axis (0 temporal, 1 height, 2 width) turns each rotary frequency ({@code mrope_section}). */
    private final int[] axisOfFrequency;
    private final Nn.CausalMasks causalMasks;
    private final NDArray eps;
    private final NDArray scale;
    private final NDArray minusHalf;

    /**
     * @param params the model's float32 parameters by published name (norms here)
     * @param linears the linear maps by {@link Qwen2VLModel#linearKeys} key
     */
    TextDecoder(Qwen2VLConfig.TextConfig config, Map<String, NDArray> params, Map<String, Linear> linears,
                float[] invFreq, NDManager manager) {
        this.config = config;
        this.invFreq = invFreq;
        this.embedding = linears.get("model.embed_tokens");
        this.lmHead = config.tieWordEmbeddings() ? embedding : linears.get("lm_head");
        this.finalNorm = params.get("model.norm.weight");
        this.layers = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(new Layer(params.get(p + "input_layernorm.weight"), linears.get(p + "self_attn.qkv"),
                    linears.get(p + "self_attn.o_proj"), params.get(p + "post_attention_layernorm.weight"),
                    linears.get(p + "mlp.gate_up"), linears.get(p + "mlp.down_proj")));
        }
        List<Integer> section = config.mropeSection();
        this.axisOfFrequency = new int[invFreq.length];
        int j = 0;
        for (int axis = 0; axis < 3; axis++) {
            for (int k = 0; k < section.get(axis); k++) {
                axisOfFrequency[j++] = axis;
            }
        }
        this.causalMasks = new Nn.CausalMasks(manager);
        this.eps = Nn.constant(manager, (float) config.rmsNormEps());
        this.scale = Nn.constant(manager, (float) (1.0 / Math.sqrt(config.headDim())));
        this.minusHalf = Nn.constant(manager, -0.5f);
    }

    /** Token embeddings {@code [B, T, H]}. */
    NDArray embed(long[][] ids, NDManager manager) {
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < ids[i].length; j++) {
                long id = ids[i][j];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new ModelException("token id " + id + " at row " + i + ", column " + j
                            + " is outside the vocabulary (size " + config.vocabSize() + ")");
                }
            }
        }
        return embedding.rows(ids, manager);
    }

    /**
     * Rotary tables for the given positions, turning {@code [B, T, heads, headDim]} (see {@link Nn.Rotary}).
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
        return Nn.rotary(manager, angles, new Shape(b, t), config.headDim());
    }

    /**
     * Additive attention mask broadcasting over the scores {@code [B, kvHeads, groups, T, L]}, or null when
     * nothing needs masking: query column {@code start + i} may see key column {@code j} when
     * {@code j <= start + i} and key {@code j} is not padding.
     *
     * <p>Padding only at the end of each row (training batches) never needs more than causality: a real query
     * comes before every padded key, and what padded queries compute is never read. Such batches share one cached
     * causal mask {@code [1, 1, 1, T, L]}; a single new column (a decoding step) needs none. Rows with padding
     * before real tokens (left-padded prompts) get a mask of their own {@code [B, 1, 1, T, L]}.
     *
     * @param keyMask per row, 1/0 for the first {@code L} key columns
     */
    NDArray mask(int[][] keyMask, int keys, int start, int queries, NDManager manager) {
        if (!Nn.paddingBeforeRealTokens(keyMask, keys)) {
            return queries == 1 ? null : causalMasks.get(queries, keys, start);
        }
        return hostMask(keyMask, keys, start, queries, manager);
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
        return Nn.owned(manager.create(additive, new Shape(b, 1, 1, queries, keys)));
    }

    /**
     * What a layer's queries attend over, given the layer's own new keys and values {@code [B, kvHeads, T, hd]}:
     * those alone (a plain forward), those written into a KV cache after its earlier columns, or those after the
     * keys and values of shared prompts ({@link PromptKeys}).
     */
    interface KeyValues {
        /** Keys and values that only the new columns give. */
        KeyValues NEW_ONLY = (layer, keys, values) -> new NDArray[] {keys, values};

        /** {keys, values} to attend over, {@code [B, kvHeads, L, hd]}. */
        NDArray[] attend(int layer, NDArray keys, NDArray values);

        /** The new columns written into {@code cache} at {@code start ..}, then all its columns up to them. */
        static KeyValues cached(KvCache cache, int start) {
            return (layer, keys, values) -> {
                Shape shape = keys.getShape(); // [B, kvHeads, T, hd]
                long t = shape.get(2);
                Nn.writeColumns(cache.keys(layer), keys, shape.get(0), shape.get(1), start, t);
                Nn.writeColumns(cache.values(layer), values, shape.get(0), shape.get(1), start, t);
                return new NDArray[] {Nn.slice(cache.keys(layer), 2, 0, start + t),
                    Nn.slice(cache.values(layer), 2, 0, start + t)};
            };
        }
    }

    /**
     * The keys and values of a prompt pass, kept (with their graph) so that completions can attend to them without
     * running the prompt again: {@link #forRows} puts row {@code promptOf[r]}'s before completion row {@code r}'s
     * own. Backward through the shared keys sums the completions' gradients, as if each had run the prompt itself.
     */
    static final class PromptKeys implements KeyValues {
        private final List<NDArray[]> perLayer = new ArrayList<>();

        @Override
        public NDArray[] attend(int layer, NDArray keys, NDArray values) {
            NDScope.unregister(keys, values); // outlive the layer's scope: the completion pass reads them
            perLayer.add(new NDArray[] {keys, values});
            return new NDArray[] {keys, values};
        }

        /** Completion rows' keys and values after those of their prompts ({@code promptOf}: rows of the prompts). */
        KeyValues forRows(NDArray promptOf) {
            return (layer, keys, values) -> {
                NDArray[] prompt = perLayer.get(layer);
                return new NDArray[] {Nn.rowsOf(prompt[0], promptOf).concat(keys, 2),
                    Nn.rowsOf(prompt[1], promptOf).concat(values, 2)};
            };
        }
    }

    /**
     * Runs the decoder layers and the final norm. Each layer runs in its own {@link NDScope}: its intermediates
     * are released as soon as it ends (autograd keeps what backward needs and frees it during backward), so a
     * step holds one layer's temporaries at a time rather than every layer's.
     *
     * @param hidden input embeddings {@code [B, T, H]}
     * @param rotary tables from {@link #rotary}
     * @param mask from {@link #mask} (may be null), over the keys {@code keyValues} gives
     * @param keyValues what the queries attend over
     * @return normalised hidden states {@code [B, T, H]}
     */
    NDArray layers(NDArray hidden, Nn.Rotary rotary, NDArray mask, KeyValues keyValues, NDManager manager) {
        long b = hidden.getShape().get(0);
        long t = hidden.getShape().get(1);
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int groups = heads / kvHeads;
        int hd = config.headDim();
        long[] qkvSplit = {heads + kvHeads, kvHeads};
        long[] qkSplit = {heads, kvHeads};
        boolean gradMode = JniUtils.isGradMode();
        NDArray h = hidden;
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            try (NDScope scope = new NDScope()) {
                NDArray x = Nn.rmsNorm(h, layer.inputNorm(), eps, minusHalf);
                // [B, T, heads + 2 kv, hd]: q and k turn together, then [B, heads, T, hd]
                NDList qkv = Nn.split(Nn.linear(x, layer.qkv(), gradMode).reshape(b, t, heads + 2L * kvHeads, hd),
                        qkvSplit, 2);
                NDList qk = Nn.split(Nn.permute(rotary.apply(qkv.get(0)), 0, 2, 1, 3), qkSplit, 1);
                NDArray q = qk.get(0);
                NDArray[] kv = keyValues.attend(l, qk.get(1), Nn.permute(qkv.get(1), 0, 2, 1, 3));
                NDArray k = kv[0];
                NDArray v = kv[1];
                long keys = k.getShape().get(2);
                // query heads of one kv head are adjacent: fold them into the query axis instead of repeating k and v;
                // the scale goes on the smaller of the queries and the scores
                NDArray qg = q.reshape(b, kvHeads, groups * t, hd);
                boolean scaleQueries = keys > hd;
                NDArray scores = Nn.matMul(scaleQueries ? qg.mul(scale) : qg, k.swapAxes(2, 3));
                if (!scaleQueries) {
                    scores = scores.mul(scale);
                }
                if (mask != null) {
                    scores = scores.reshape(b, kvHeads, groups, t, keys).add(mask).reshape(b, kvHeads, groups * t,
                            keys);
                }
                NDArray out = Nn.matMul(Nn.softmax(scores, -1), v); // [B, kv, groups * T, hd]
                // back to [B, T, heads * hd]; a single column needs no transpose
                NDArray attn = t == 1 ? out.reshape(b, 1, (long) heads * hd)
                        : Nn.permute(out.reshape(b, heads, t, hd), 0, 2, 1, 3).reshape(b, t, (long) heads * hd);
                NDArray h1 = h.add(Nn.linear(attn, layer.o(), gradMode));
                NDArray y = Nn.rmsNorm(h1, layer.postNorm(), eps, minusHalf);
                NDArray next = h1.add(Nn.swiGlu(y, layer.gateUp(), layer.down(), gradMode));
                NDScope.unregister(next);
                h = next;
            }
        }
        return Nn.rmsNorm(h, finalNorm, eps, minusHalf);
    }

    /** Logits {@code [..., vocab]} of normalised hidden states. */
    NDArray lmHead(NDArray hidden) {
        return Nn.linear(hidden, lmHead, JniUtils.isGradMode());
    }
}

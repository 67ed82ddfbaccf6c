package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pathoreason.model.ModelException;

/**
 * The Qwen2.5-VL vision tower and patch merger: patch embedding (a Conv3d whose kernel equals its stride, i.e. a
 * matmul over the flattened patch), 2-D rotary positions, window attention (full attention in the configured
 * blocks), SwiGLU MLPs with biases, and the 2 x 2 patch merger; the merged tokens come out in image order.
 */
final class VisionTower {


    /** Weights of one vision block. */
    record Block(NDArray norm1, Linear qkv, Linear proj, NDArray norm2, Linear gateUp, Linear down) {
    }

    private final Qwen2VLConfig.VisionConfig config;
    private final NDArray patchEmbed;
    private final List<Block> blocks;
    private final NDArray mergerNorm;
    private final Linear merger0;
    private final Linear merger2;
    /** {@code inv_freq} of the 2-D rotary embedding (dim = head_dim / 2, theta 10000). */
    private final float[] invFreq;
    /** The norms' epsilon (1e-6) and the attention scale, as arrays made once. */
    private final NDArray eps;
    private final NDArray scale;
    private final NDArray minusHalf;

    /**
     * @param params the model's float32 parameters by published name (norms and the patch embedding here)
     * @param linears the linear maps by {@link Qwen2VLModel#linearKeys} key
     */
    VisionTower(Qwen2VLConfig.VisionConfig config, Map<String, NDArray> params, Map<String, Linear> linears,
                float[] invFreq, NDManager manager) {
        this.config = config;
        this.invFreq = invFreq;
        this.patchEmbed = params.get("visual.patch_embed.proj.weight");
        this.blocks = new ArrayList<>();
        for (int i = 0; i < config.depth(); i++) {
            String p = "visual.blocks." + i + ".";
            blocks.add(new Block(params.get(p + "norm1.weight"), linears.get(p + "attn.qkv"),
                    linears.get(p + "attn.proj"), params.get(p + "norm2.weight"), linears.get(p + "mlp.gate_up"),
                    linears.get(p + "mlp.down_proj")));
        }
        this.mergerNorm = params.get("visual.merger.ln_q.weight");
        this.merger0 = linears.get("visual.merger.mlp.0");
        this.merger2 = linears.get("visual.merger.mlp.2");
        this.eps = Nn.constant(manager, 1e-6f);
        this.scale = Nn.constant(manager, (float) (1.0 / Math.sqrt(config.headDim())));
        this.minusHalf = Nn.constant(manager, -0.5f);
    }

    /**
     * Encodes the images of a batch.
     *
     * @param patches all images' patches, {@code [N, patchValues]} flattened, images in order
     * @param grids per image {t, h, w} in patches
     * @return merged tokens {@code [N / 4, outHiddenSize]} in image order
     */
    NDArray forward(float[] patches, List<int[]> grids, NDManager manager) {
        int pv = config.patchValues();
        long n = 0;
        for (int[] g : grids) {
            WindowIndex.checkGrid(g, config.spatialMergeSize());
            n += (long) g[0] * g[1] * g[2];
        }
        if (patches.length != n * pv) {
            throw new ModelException("pixel patches hold " + patches.length + " values but the image grids need "
                    + n + " patches x " + pv + " = " + n * pv);
        }
        WindowIndex windows = WindowIndex.compute(grids, config.spatialMergeSize(), config.windowInMergedTokens());
        int vh = config.hiddenSize();
        int heads = config.numHeads();
        int hd = config.headDim();

        NDArray x = Nn.owned(manager.create(patches, new Shape(n, pv)));
        NDArray patchW = Nn.reshapeParameter(patchEmbed, new Shape(vh, pv), manager);
        NDArray h = Nn.linear(x, patchW, null);
        long[] patchOrder = windows.patchOrder();
        if (!isIdentity(patchOrder)) {
            h = Nn.rows(h, patchOrder);
        }

        float[] angles = rotaryAngles(grids, patchOrder, (int) n);
        Nn.Rotary rotary = Nn.rotary(manager, angles, new Shape(n), hd);
        Segments windowSegments = Segments.of(windows.windowBoundaries());
        Segments frameSegments = Segments.of(windows.frameBoundaries());

        boolean gradMode = JniUtils.isGradMode();
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            Segments segments = config.fullAttentionBlocks().contains(i) ? frameSegments : windowSegments;
            try (NDScope scope = new NDScope()) {
                NDArray normed = Nn.rmsNorm(h, block.norm1(), eps, minusHalf);
                // [N, 3, heads, hd]: q and k turn together
                NDList qkv = Nn.split(Nn.linear(normed, block.qkv(), gradMode).reshape(n, 3, heads, hd),
                        new long[] {2, 1}, 1);
                NDList qk = Nn.split(rotary.apply(qkv.get(0).reshape(n, 2L * heads, hd)), new long[] {heads, heads},
                        1);
                NDArray v = qkv.get(1).reshape(n, heads, hd);
                NDArray attn = segments.attend(qk.get(0), qk.get(1), v, scale, manager).reshape(n, vh);
                NDArray h1 = h.add(Nn.linear(attn, block.proj(), gradMode));
                NDArray normed2 = Nn.rmsNorm(h1, block.norm2(), eps, minusHalf);
                NDArray next = h1.add(Nn.swiGlu(normed2, block.gateUp(), block.down(), gradMode));
                NDScope.unregister(next);
                h = next;
            }
        }

        NDArray merged = Nn.rmsNorm(h, mergerNorm, eps, minusHalf)
                .reshape(n / config.mergeUnit(), (long) vh * config.mergeUnit());
        merged = Nn.linear(merged, merger0, gradMode);
        merged = merged.getNDArrayInternal().gelu();
        merged = Nn.linear(merged, merger2, gradMode);
        long[] reverse = new long[windows.reverse().length];
        for (int i = 0; i < reverse.length; i++) {
            reverse[i] = windows.reverse()[i];
        }
        return isIdentity(reverse) ? merged : Nn.rows(merged, reverse);
    }

    /**
     * Rotary angles per patch in window order: the first half of the rotary dims turn with the patch row, the
     * second with its column ({@code rot_pos_emb}); patches come merge unit by merge unit.
     */
    private float[] rotaryAngles(List<int[]> grids, long[] patchOrder, int n) {
        int merge = config.spatialMergeSize();
        int unit = config.mergeUnit();
        int[] rowOf = new int[n];
        int[] colOf = new int[n];
        int i = 0;
        for (int[] g : grids) {
            int cellsW = g[2] / merge;
            for (int t = 0; t < g[0]; t++) {
                for (int p = 0; p < g[1] * g[2]; p++) {
                    int cell = p / unit;
                    int within = p % unit;
                    rowOf[i] = (cell / cellsW) * merge + within / merge;
                    colOf[i] = (cell % cellsW) * merge + within % merge;
                    i++;
                }
            }
        }
        int f = invFreq.length;
        float[] angles = new float[n * 2 * f];
        for (int k = 0; k < n; k++) {
            int src = (int) patchOrder[k];
            float row = rowOf[src];
            float col = colOf[src];
            for (int j = 0; j < f; j++) {
                angles[k * 2 * f + j] = row * invFreq[j];
                angles[k * 2 * f + f + j] = col * invFreq[j];
            }
        }
        return angles;
    }

    private static boolean isIdentity(long[] index) {
        for (int i = 0; i < index.length; i++) {
            if (index[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** Contiguous attention segments (windows or frames) of the patch sequence. */
    private record Segments(int[] boundaries, int count, int maxLength, boolean equal) {

        static Segments of(int[] boundaries) {
            int count = boundaries.length - 1;
            int max = 0;
            boolean equal = true;
            for (int s = 0; s < count; s++) {
                int len = boundaries[s + 1] - boundaries[s];
                if (s > 0 && len != boundaries[1] - boundaries[0]) {
                    equal = false;
                }
                max = Math.max(max, len);
            }
            return new Segments(boundaries, count, max, equal);
        }

        /**
         * Attention within each segment. Equal segments are a plain reshape; unequal ones are padded to the longest
         * (padded keys masked) and the valid rows gathered back.
         *
         * @param q {@code [N, heads, hd]}, likewise k and v
         * @return {@code [N, heads * hd]}
         */
        NDArray attend(NDArray q, NDArray k, NDArray v, NDArray scale, NDManager manager) {
            long n = q.getShape().get(0);
            long heads = q.getShape().get(1);
            long hd = q.getShape().get(2);
            if (equal) {
                Shape s = new Shape(count, n / count, heads, hd);
                NDArray out = Nn.attention(Nn.permute(q.reshape(s), 0, 2, 1, 3),
                        Nn.permute(k.reshape(s), 0, 2, 1, 3), Nn.permute(v.reshape(s), 0, 2, 1, 3), null, scale);
                return Nn.permute(out, 0, 2, 1, 3).reshape(n, heads * hd);
            }
            long[] gather = new long[count * maxLength];
            long[] valid = new long[(int) n];
            boolean[] keyOk = new boolean[count * maxLength];
            int filled = 0;
            for (int s = 0; s < count; s++) {
                for (int j = 0; j < maxLength; j++) {
                    int src = boundaries[s] + j;
                    boolean ok = src < boundaries[s + 1];
                    gather[s * maxLength + j] = ok ? src : 0;
                    keyOk[s * maxLength + j] = ok;
                    if (ok) {
                        valid[filled++] = (long) s * maxLength + j;
                    }
                }
            }
            Shape padded = new Shape(count, maxLength, heads, hd);
            NDArray qp = Nn.permute(Nn.rows(q, gather).reshape(padded), 0, 2, 1, 3);
            NDArray kp = Nn.permute(Nn.rows(k, gather).reshape(padded), 0, 2, 1, 3);
            NDArray vp = Nn.permute(Nn.rows(v, gather).reshape(padded), 0, 2, 1, 3);
            NDArray allowed = Nn.owned(manager.create(keyOk, new Shape(count, 1, 1, maxLength)));
            NDArray out = Nn.attention(qp, kp, vp, Nn.additiveMask(allowed), scale);
            NDArray flat = Nn.permute(out, 0, 2, 1, 3).reshape((long) count * maxLength, heads * hd);
            return Nn.rows(flat, valid);
        }
    }
}

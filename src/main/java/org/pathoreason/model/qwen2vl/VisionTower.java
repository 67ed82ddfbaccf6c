package org.pathoreason.model.qwen2vl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.pathoreason.model.ModelException;

/**
 * The Qwen2.5-VL vision tower and patch merger: patch embedding (a Conv3d whose kernel equals its stride, i.e. a
 * matmul over the flattened patch), 2-D rotary positions, window attention (full attention in the configured
 * blocks), SwiGLU MLPs with biases, and the 2 x 2 patch merger; the merged tokens come out in image order.
 */
final class VisionTower {

    private static final double NORM_EPS = 1e-6;

    private final Qwen2VLConfig.VisionConfig config;
    private final Map<String, NDArray> params;
    /** {@code inv_freq} of the 2-D rotary embedding (dim = head_dim / 2, theta 10000). */
    private final float[] invFreq;

    VisionTower(Qwen2VLConfig.VisionConfig config, Map<String, NDArray> params, float[] invFreq) {
        this.config = config;
        this.params = params;
        this.invFreq = invFreq;
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

        NDArray x = manager.create(patches, new Shape(n, pv));
        NDArray patchW = Nn.reshapeParameter(params.get("visual.patch_embed.proj.weight"), new Shape(vh, pv),
                manager);
        NDArray h = Nn.linear(x, patchW, null);
        long[] patchOrder = windows.patchOrder();
        if (!isIdentity(patchOrder)) {
            h = Nn.rows(h, patchOrder);
        }

        float[] angles = rotaryAngles(grids, patchOrder, (int) n);
        Shape angleShape = new Shape(n, 1, hd / 2);
        Nn.Rotary rotary = Nn.rotary(manager, angles, angleShape);
        Segments windowSegments = Segments.of(windows.windowBoundaries());
        Segments frameSegments = Segments.of(windows.frameBoundaries());
        double scale = 1.0 / Math.sqrt(hd);

        for (int i = 0; i < config.depth(); i++) {
            String p = "visual.blocks." + i + ".";
            Segments segments = config.fullAttentionBlocks().contains(i) ? frameSegments : windowSegments;
            NDArray normed = Nn.rmsNorm(h, params.get(p + "norm1.weight"), NORM_EPS);
            NDArray qkv = Nn.linear(normed, params.get(p + "attn.qkv.weight"), params.get(p + "attn.qkv.bias"))
                    .reshape(n, 3, heads, hd);
            NDArray q = rotary.apply(qkv.get(new NDIndex(":, 0")));
            NDArray k = rotary.apply(qkv.get(new NDIndex(":, 1")));
            NDArray v = qkv.get(new NDIndex(":, 2"));
            NDArray attn = segments.attend(q, k, v, scale, manager).reshape(n, vh);
            h = h.add(Nn.linear(attn, params.get(p + "attn.proj.weight"), params.get(p + "attn.proj.bias")));
            NDArray normed2 = Nn.rmsNorm(h, params.get(p + "norm2.weight"), NORM_EPS);
            h = h.add(Nn.swiGlu(normed2,
                    params.get(p + "mlp.gate_proj.weight"), params.get(p + "mlp.gate_proj.bias"),
                    params.get(p + "mlp.up_proj.weight"), params.get(p + "mlp.up_proj.bias"),
                    params.get(p + "mlp.down_proj.weight"), params.get(p + "mlp.down_proj.bias")));
        }

        NDArray merged = Nn.rmsNorm(h, params.get("visual.merger.ln_q.weight"), NORM_EPS)
                .reshape(n / config.mergeUnit(), (long) vh * config.mergeUnit());
        merged = Nn.linear(merged, params.get("visual.merger.mlp.0.weight"), params.get("visual.merger.mlp.0.bias"));
        merged = merged.getNDArrayInternal().gelu();
        merged = Nn.linear(merged, params.get("visual.merger.mlp.2.weight"), params.get("visual.merger.mlp.2.bias"));
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
        NDArray attend(NDArray q, NDArray k, NDArray v, double scale, NDManager manager) {
            long n = q.getShape().get(0);
            long heads = q.getShape().get(1);
            long hd = q.getShape().get(2);
            if (equal) {
                Shape s = new Shape(count, n / count, heads, hd);
                NDArray out = Nn.attention(q.reshape(s).transpose(0, 2, 1, 3), k.reshape(s).transpose(0, 2, 1, 3),
                        v.reshape(s).transpose(0, 2, 1, 3), null, scale);
                return out.transpose(0, 2, 1, 3).reshape(n, heads * hd);
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
            NDArray qp = Nn.rows(q, gather).reshape(padded).transpose(0, 2, 1, 3);
            NDArray kp = Nn.rows(k, gather).reshape(padded).transpose(0, 2, 1, 3);
            NDArray vp = Nn.rows(v, gather).reshape(padded).transpose(0, 2, 1, 3);
            NDArray allowed = manager.create(keyOk, new Shape(count, 1, 1, maxLength));
            NDArray out = Nn.attention(qp, kp, vp, Nn.additiveMask(allowed), scale);
            NDArray flat = out.transpose(0, 2, 1, 3).reshape((long) count * maxLength, heads * hd);
            return Nn.rows(flat, valid);
        }
    }
}

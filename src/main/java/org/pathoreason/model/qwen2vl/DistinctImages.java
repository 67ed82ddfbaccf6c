package org.pathoreason.model.qwen2vl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The distinct images of a batch, so that the vision tower encodes each once: a GRPO group repeats its prompt
 * (and image) G times, and the G copies share one set of features. An image is a copy of an earlier one when its
 * grid and every patch value are equal. With autograd, the shared features' gradient is the sum over the copies,
 * which is what G separate encodings would give.
 *
 * @param patches the distinct images' patches, in order of first appearance
 * @param grids their grids
 * @param featureStart per image of the batch, the first row of its features among the distinct images' features
 * @param tokensPerImage per image of the batch, its merged tokens
 */
record DistinctImages(float[] patches, List<int[]> grids, long[] featureStart, int[] tokensPerImage) {

    /**
     * @param patchValues values per patch; when the patches do not match the grids, the images are passed
     *     through as they are (the vision tower reports the mismatch)
     */
    static DistinctImages of(float[] patches, List<int[]> grids, int patchValues, int mergeUnit) {
        int n = grids.size();
        int[] start = new int[n + 1];
        long total = 0;
        for (int i = 0; i < n; i++) {
            int[] g = grids.get(i);
            long values = (long) g[0] * g[1] * g[2] * patchValues;
            total += values;
            start[i + 1] = (int) Math.min(Integer.MAX_VALUE, total);
        }
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            int[] g = grids.get(i);
            tokens[i] = g[0] * g[1] * g[2] / mergeUnit;
        }
        long[] featureStart = new long[n];
        if (total != patches.length) {
            long at = 0;
            for (int i = 0; i < n; i++) {
                featureStart[i] = at;
                at += tokens[i];
            }
            return new DistinctImages(patches, grids, featureStart, tokens);
        }
        Map<Integer, List<Integer>> byHash = new HashMap<>();
        List<Integer> distinct = new ArrayList<>();
        long[] distinctStart = new long[n];
        long features = 0;
        for (int i = 0; i < n; i++) {
            int hash = Arrays.hashCode(grids.get(i)) * 31 + sampleHash(patches, start[i], start[i + 1]);
            List<Integer> candidates = byHash.computeIfAbsent(hash, h -> new ArrayList<>());
            Integer same = null;
            for (int c : candidates) {
                if (Arrays.equals(grids.get(c), grids.get(i))
                        && Arrays.equals(patches, start[c], start[c + 1], patches, start[i], start[i + 1])) {
                    same = c;
                    break;
                }
            }
            if (same != null) {
                featureStart[i] = distinctStart[same];
            } else {
                candidates.add(i);
                distinct.add(i);
                distinctStart[i] = features;
                featureStart[i] = features;
                features += tokens[i];
            }
        }
        if (distinct.size() == n) {
            return new DistinctImages(patches, grids, featureStart, tokens);
        }
        float[] kept = new float[distinct.stream().mapToInt(i -> start[i + 1] - start[i]).sum()];
        List<int[]> keptGrids = new ArrayList<>();
        int at = 0;
        for (int i : distinct) {
            System.arraycopy(patches, start[i], kept, at, start[i + 1] - start[i]);
            at += start[i + 1] - start[i];
            keptGrids.add(grids.get(i));
        }
        return new DistinctImages(kept, keptGrids, featureStart, tokens);
    }

    /** A hash of a few hundred values spread over the range: cheap, and equal images always collide. */
    private static int sampleHash(float[] values, int from, int to) {
        int step = Math.max(1, (to - from) / 256);
        int h = to - from;
        for (int i = from; i < to; i += step) {
            h = h * 31 + Float.floatToIntBits(values[i]);
        }
        return h;
    }

    /** Merged tokens of all images of the batch (copies included): the pad tokens the batch must hold. */
    long tokens() {
        long sum = 0;
        for (int t : tokensPerImage) {
            sum += t;
        }
        return sum;
    }

    int tokensOf(int image) {
        return tokensPerImage[image];
    }

    long featureStart(int image) {
        return featureStart[image];
    }
}

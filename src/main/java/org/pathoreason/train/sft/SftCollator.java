package org.pathoreason.train.sft;

import org.pathoreason.image.ImageCache;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.model.ModelInput;

/**
 * Puts examples together into a {@link Batch}: token rows padded on the right to the longest row (padding never
 * attended to and never a target), the target mask padded alike, and the pixel patches and grids of every image in
 * row order, as the model's image pad runs expect them. Images come from the run's {@link ImageCache}.
 */
public final class SftCollator {

    private final ImageCache images;
    private final long padId;

    public SftCollator(ImageCache images, long padId) {
        this.images = images;
        this.padId = padId;
    }

    public Batch collate(List<TrainingExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("cannot collate an empty batch");
        }
        List<long[]> rows = new ArrayList<>(examples.size());
        List<float[]> patches = new ArrayList<>();
        List<int[]> grids = new ArrayList<>();
        List<String> ids = new ArrayList<>(examples.size());
        int length = 0;
        int firstTarget = Integer.MAX_VALUE;
        int targetTokens = 0;
        int tokens = 0;
        for (TrainingExample e : examples) {
            rows.add(e.ids());
            ids.add(e.id());
            length = Math.max(length, e.length());
            int first = e.firstTarget();
            if (first < 0) {
                throw new IllegalArgumentException("example '" + e.id() + "' has no target token");
            }
            firstTarget = Math.min(firstTarget, first);
            targetTokens += e.targetCount();
            tokens += e.length();
            for (Path file : e.images()) {
                ProcessedImage p = images.get(file);
                patches.add(p.patches());
                grids.add(new int[] {p.gridT(), p.gridH(), p.gridW()});
            }
        }
        boolean[][] targets = new boolean[examples.size()][length];
        for (int b = 0; b < examples.size(); b++) {
            boolean[] t = examples.get(b).targets();
            System.arraycopy(t, 0, targets[b], 0, t.length);
        }
        float[] pixels = patches.isEmpty() ? null : ModelInput.concatPatches(patches);
        ModelInput input = ModelInput.padded(rows, padId, false, pixels, grids);
        return new Batch(ids, input, targets, firstTarget, targetTokens, tokens);
    }
}

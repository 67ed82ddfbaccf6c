package org.pathoreason.wsi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.engine.Engines;
import org.pathoreason.image.PreprocessorConfig;
import org.pathoreason.image.ProcessedImage;
import org.pathoreason.image.QwenImageProcessor;
import org.pathoreason.model.ModelException;
import org.pathoreason.model.qwen2vl.Qwen2VLModel;

/**
 * Tile features from a Qwen2.5-VL checkpoint's vision tower: each tile goes through the checkpoint's image
 * preprocessing and the tower with its patch merger; the feature is the mean of the tile's merged tokens (the
 * vectors the language model sees), {@code outHiddenSize} long.
 */
public final class VisionTowerEncoder implements ImageEncoder {

    private final Qwen2VLModel model;
    private final QwenImageProcessor processor;
    private final NDManager manager;
    private final String name;

    private VisionTowerEncoder(Qwen2VLModel model, QwenImageProcessor processor, NDManager manager, String name) {
        this.model = model;
        this.processor = processor;
        this.manager = manager;
        this.name = name;
    }

    /** Loads the model of a checkpoint folder ({@code config.json}, weights, optional preprocessor config). */
    public static VisionTowerEncoder load(Path checkpoint) {
        if (!Files.isDirectory(checkpoint)) {
            throw new ModelException("checkpoint folder " + checkpoint + " does not exist");
        }
        PreprocessorConfig pc = PreprocessorConfig.defaults();
        Path pre = checkpoint.resolve("preprocessor_config.json");
        if (Files.isRegularFile(pre)) {
            try {
                pc = PreprocessorConfig.read(pre);
            } catch (IOException | IllegalArgumentException e) {
                throw new ModelException("checkpoint " + checkpoint + ": " + e.getMessage(), e);
            }
        }
        NDManager manager = Engines.newManager();
        try {
            Qwen2VLModel model = Qwen2VLModel.load(checkpoint, manager);
            return new VisionTowerEncoder(model, new QwenImageProcessor(pc), manager,
                    "qwen2vl-vision:" + checkpoint.toAbsolutePath().normalize().getFileName());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Wraps a model already in memory (the caller keeps ownership of it). */
    public static VisionTowerEncoder of(Qwen2VLModel model, QwenImageProcessor processor, String name) {
        return new VisionTowerEncoder(model, processor, null, name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return model.config().vision().outHiddenSize();
    }

    @Override
    public float[][] encode(List<BufferedImage> tiles) {
        List<int[]> grids = new ArrayList<>();
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        int[] tokens = new int[tiles.size()];
        for (int i = 0; i < tiles.size(); i++) {
            ProcessedImage p = processor.process(tiles.get(i));
            grids.add(new int[] {p.gridT(), p.gridH(), p.gridW()});
            parts.add(p.patches());
            total += p.patches().length;
            tokens[i] = p.numMergedTokens();
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        try (NDManager step = Engines.newManager()) {
            NDArray merged = model.encodeImages(all, grids, step);
            float[] flat = merged.toFloatArray();
            int d = (int) merged.getShape().get(1);
            float[][] out = new float[tiles.size()][d];
            int row = 0;
            for (int i = 0; i < tiles.size(); i++) {
                for (int t = 0; t < tokens[i]; t++, row++) {
                    for (int k = 0; k < d; k++) {
                        out[i][k] += flat[row * d + k];
                    }
                }
                for (int k = 0; k < d; k++) {
                    out[i][k] /= tokens[i];
                }
            }
            return out;
        }
    }

    @Override
    public void close() {
        if (manager != null) {
            model.close();
            manager.close();
        }
    }
}

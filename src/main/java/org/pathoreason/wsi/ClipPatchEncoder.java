package org.pathoreason.wsi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.clip.ClipImageProcessor;
import org.pathoreason.model.clip.ClipModel;
import org.pathoreason.model.clip.ClipTokenizer;

/**
 * A CLIP model folder (OpenCLIP or Hugging Face layout, with its {@code tokenizer.json}) as a patch encoder: the
 * image tower gives L2-normalised embeddings of patches ({@link ImageEncoder}, so {@code wsi features} writes CLIP
 * feature bags), the text tower L2-normalised embeddings of questions, for {@link ClipTileSelector}.
 */
public final class ClipPatchEncoder implements ImageEncoder {

    /** Patches encoded in one forward pass. */
    public static final int BATCH = 32;

    private final ClipModel model;
    private final ClipTokenizer tokenizer;
    private final ClipImageProcessor processor;
    private final String name;

    private ClipPatchEncoder(ClipModel model, ClipTokenizer tokenizer, String name) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.processor = new ClipImageProcessor(model.config().preprocess());
        this.name = name;
    }

    /** Loads a CLIP folder; closing the encoder frees the model. */
    public static ClipPatchEncoder load(Path dir) {
        ClipModel model = ClipModel.load(dir);
        try {
            return new ClipPatchEncoder(model, ClipTokenizer.load(dir, model.config()),
                    "clip:" + dir.toAbsolutePath().normalize().getFileName());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return model.config().embedDim();
    }

    /** L2-normalised image embeddings, one row per tile, in order. */
    @Override
    public float[][] encode(List<BufferedImage> tiles) {
        float[][] out = new float[tiles.size()][];
        for (int from = 0; from < tiles.size(); from += BATCH) {
            int to = Math.min(tiles.size(), from + BATCH);
            List<float[]> pixels = new ArrayList<>();
            for (BufferedImage t : tiles.subList(from, to)) {
                pixels.add(processor.process(t));
            }
            try (NDManager step = Engines.newManager()) {
                copyRows(model.imageEmbeddings(processor.batch(pixels, step), step), out, from);
            }
        }
        return out;
    }

    /** L2-normalised text embeddings, one row per text. */
    public float[][] texts(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += BATCH) {
            int to = Math.min(texts.size(), from + BATCH);
            try (NDManager step = Engines.newManager()) {
                copyRows(model.textEmbeddings(tokenizer.encode(texts.subList(from, to)), step), out, from);
            }
        }
        return out;
    }

    private static void copyRows(NDArray a, float[][] out, int from) {
        int rows = (int) a.getShape().get(0);
        int d = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        for (int i = 0; i < rows; i++) {
            out[from + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}

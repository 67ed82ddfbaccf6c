package org.pathoreason.eval.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.engine.Engines;
import org.pathoreason.model.clip.ClipImageProcessor;
import org.pathoreason.model.clip.ClipModel;
import org.pathoreason.model.clip.ClipTokenizer;

/**
 * L2-normalised embeddings of many images or texts, in batches, each batch in its own manager; what every CLIP
 * protocol (zero-shot, retrieval, probes, export) starts from. Rows come back in input order.
 */
public final class ClipEncoder implements AutoCloseable {

    /** Told after each batch how many items are done. */
    @FunctionalInterface
    public interface Listener {
        void done(int items, int total);
    }

    private final ClipModel model;
    private final ClipTokenizer tokenizer;
    private final ClipImageProcessor processor;
    private final int batchSize;
    private final boolean owns;
    private Listener listener = (d, t) -> { };

    /** Encodes with a model the caller keeps (and closes). */
    public ClipEncoder(ClipModel model, ClipTokenizer tokenizer, int batchSize) {
        this(model, tokenizer, batchSize, false);
    }

    private ClipEncoder(ClipModel model, ClipTokenizer tokenizer, int batchSize, boolean owns) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.processor = new ClipImageProcessor(model.config().preprocess());
        this.batchSize = batchSize;
        this.owns = owns;
    }

    /** Loads a model folder (model and {@code tokenizer.json}); closing the encoder closes them. */
    public static ClipEncoder open(Path modelDir, int batchSize) {
        ClipModel model = ClipModel.load(modelDir);
        try {
            return new ClipEncoder(model, ClipTokenizer.load(modelDir, model.config()), batchSize, true);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public ClipEncoder listener(Listener l) {
        this.listener = l;
        return this;
    }

    public ClipModel model() {
        return model;
    }

    /** {@code exp(logit_scale)}. */
    public double logitScale() {
        return Math.exp(model.logitScaleValue());
    }

    public float[][] images(List<Path> files) {
        float[][] out = new float[files.size()][];
        for (int from = 0; from < files.size(); from += batchSize) {
            int to = Math.min(files.size(), from + batchSize);
            List<float[]> pixels = new ArrayList<>();
            for (Path f : files.subList(from, to)) {
                pixels.add(processor.process(f));
            }
            try (NDManager step = Engines.newManager()) {
                copyRows(model.imageEmbeddings(processor.batch(pixels, step), step), out, from);
            }
            listener.done(to, files.size());
        }
        return out;
    }

    public float[][] texts(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += batchSize) {
            int to = Math.min(texts.size(), from + batchSize);
            try (NDManager step = Engines.newManager()) {
                copyRows(model.textEmbeddings(tokenizer.encode(texts.subList(from, to)), step), out, from);
            }
            listener.done(to, texts.size());
        }
        return out;
    }

    private static void copyRows(NDArray a, float[][] out, int from) {
        int rows = (int) a.getShape().get(0);
        int d = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        for (int i = 0; i < rows; i++) {
            out[from + i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
    }

    @Override
    public void close() {
        if (owns) {
            tokenizer.close();
            model.close();
        }
    }
}

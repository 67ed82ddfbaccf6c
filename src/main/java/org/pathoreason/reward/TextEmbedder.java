package org.pathoreason.reward;

/** Turns text into a vector whose cosine similarity measures closeness of meaning. Thread-safe. */
@FunctionalInterface
public interface TextEmbedder {

    float[] embed(String text);

    /** Cosine similarity of two texts' embeddings, in [-1, 1]; 0 when either embedding is zero. */
    default double similarity(String a, String b) {
        return cosine(embed(a), embed(b));
    }

    static double cosine(float[] x, float[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("embeddings differ in size: " + x.length + " and " + y.length);
        }
        double dot = 0;
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < x.length; i++) {
            dot += (double) x[i] * y[i];
            nx += (double) x[i] * x[i];
            ny += (double) y[i] * y[i];
        }
        return nx == 0 || ny == 0 ? 0 : dot / Math.sqrt(nx * ny);
    }
}

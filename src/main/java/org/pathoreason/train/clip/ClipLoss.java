package org.pathoreason.train.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.pathoreason.engine.Scalars;
import org.pathoreason.model.clip.ClipModel;

/**
 * CLIP's symmetric contrastive loss, as OpenCLIP's {@code ClipLoss} computes it on one device: logits
 * {@code s * I T^T} of the L2-normalised image and text embeddings scaled by {@code s = exp(logit_scale)}, then the
 * mean of the cross-entropy of each image against all texts and of each text against all images, the matching
 * pair (the diagonal) being the target.
 */
public final class ClipLoss {

    private ClipLoss() {
    }

    /** The loss of one batch: pair {@code i} is image {@code i} of {@code pixels} and text row {@code i}. */
    public static NDArray symmetric(ClipModel model, NDArray pixels, long[][] ids, NDManager step) {
        NDArray images = model.imageEmbeddings(pixels, step);
        NDArray texts = model.textEmbeddings(ids, step);
        return fromEmbeddings(images, texts, model.logitScale(step), step);
    }

    /** The loss from normalised embeddings {@code [B, D]} and the scale {@code exp(logit_scale)}. */
    public static NDArray fromEmbeddings(NDArray images, NDArray texts, NDArray scale, NDManager step) {
        long b = images.getShape().get(0);
        NDArray logits = images.matMul(texts.transpose()).mul(scale);
        NDArray eye = step.eye((int) b);
        NDArray perImage = logits.logSoftmax(1).mul(eye).sum();
        NDArray perText = logits.logSoftmax(0).mul(eye).sum();
        return Scalars.div(perImage.add(perText), (float) (-2.0 * b));
    }
}

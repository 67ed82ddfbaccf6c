package org.pathoreason.train.sft;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One tokenised training example.
 *
 * @param id the sample id
 * @param ids token ids of the whole conversation (prompt then assistant turn), image pad runs expanded
 * @param targets {@code targets[i]} is true when token {@code i} is predicted with loss (its log-probability
 *     given tokens {@code < i} enters the loss); false for every prompt token
 * @param promptLength number of prompt tokens (system and user turns, the {@code <|im_start|>assistant\n} header)
 * @param images the image files, in the order of their pad runs in {@code ids}
 * @param truncated true when the assistant turn was cut at {@code max_length}
 */
public record TrainingExample(String id, long[] ids, boolean[] targets, int promptLength, List<Path> images,
        boolean truncated) {

    public TrainingExample {
        Objects.requireNonNull(id, "id");
        if (ids.length != targets.length) {
            throw new IllegalArgumentException(id + ": " + ids.length + " ids but " + targets.length + " target flags");
        }
        if (promptLength < 1 || promptLength > ids.length) {
            throw new IllegalArgumentException(id + ": prompt length " + promptLength + " outside 1.." + ids.length);
        }
        for (int i = 0; i < promptLength; i++) {
            if (targets[i]) {
                throw new IllegalArgumentException(id + ": prompt token " + i + " is marked as a target");
            }
        }
        images = List.copyOf(images);
    }

    public int length() {
        return ids.length;
    }

    /** Tokens that carry loss. */
    public int targetCount() {
        int n = 0;
        for (boolean t : targets) {
            if (t) {
                n++;
            }
        }
        return n;
    }

    /** Index of the first token with loss, or -1 when none has. */
    public int firstTarget() {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i]) {
                return i;
            }
        }
        return -1;
    }

    /** The ids of the tokens with loss, in order. */
    public long[] targetIds() {
        long[] out = new long[targetCount()];
        int k = 0;
        for (int i = 0; i < ids.length; i++) {
            if (targets[i]) {
                out[k++] = ids[i];
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingExample e && id.equals(e.id) && Arrays.equals(ids, e.ids)
                && Arrays.equals(targets, e.targets) && promptLength == e.promptLength && images.equals(e.images)
                && truncated == e.truncated;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Arrays.hashCode(ids), Arrays.hashCode(targets), promptLength, images, truncated);
    }

    @Override
    public String toString() {
        return "TrainingExample[" + id + ", " + ids.length + " tokens, " + targetCount() + " targets, "
                + images.size() + " images" + (truncated ? ", truncated" : "") + "]";
    }
}

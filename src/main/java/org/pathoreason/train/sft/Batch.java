package org.pathoreason.train.sft;

import java.util.List;
import org.pathoreason.model.ModelInput;

/**
 * A collated micro-batch.
 *
 * @param ids the sample ids, in row order
 * @param input right-padded token ids, attention mask, all images' patches and grids
 * @param targets {@code [batch][length]}: true where the token carries loss (never on padding)
 * @param firstTarget the smallest column holding a target in any row (the model scores columns from there on)
 * @param targetTokens tokens with loss in the batch
 * @param tokens real (non-padding) tokens in the batch
 */
public record Batch(List<String> ids, ModelInput input, boolean[][] targets, int firstTarget, int targetTokens,
        int tokens) {

    public int size() {
        return ids.size();
    }
}

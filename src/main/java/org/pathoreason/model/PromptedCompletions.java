package org.pathoreason.model;

/**
 * Completions to score under the prompts they were sampled from, each distinct prompt given once: a GRPO group's G
 * completions share one prompt, which then runs once instead of G times.
 *
 * @param prompts the distinct prompts, left-padded to one width (every row's last column real), with their images
 * @param promptOf per completion row, its prompt's row in {@code prompts}
 * @param completions per row, the completion's ids right-padded to one width (padding is never scored)
 * @param lengths per row, the completion's length
 */
public record PromptedCompletions(ModelInput prompts, int[] promptOf, long[][] completions, int[] lengths) {

    public PromptedCompletions {
        if (promptOf.length == 0 || promptOf.length != completions.length || promptOf.length != lengths.length) {
            throw new ModelException("prompted completions need one prompt row and length per completion row: "
                    + completions.length + " completions, " + promptOf.length + " prompt rows, " + lengths.length
                    + " lengths");
        }
        int width = completions[0].length;
        if (width == 0) {
            throw new ModelException("prompted completions need at least one completion column");
        }
        int[][] promptMask = prompts.attentionMask();
        int p = prompts.length();
        for (int[] row : promptMask) {
            if (row[p - 1] != 1) {
                throw new ModelException("prompts must be left-padded (every row's last column real)");
            }
        }
        for (int r = 0; r < completions.length; r++) {
            if (completions[r].length != width) {
                throw new ModelException("completion row " + r + " has " + completions[r].length
                        + " columns, row 0 has " + width + " (right-pad them to one width)");
            }
            if (promptOf[r] < 0 || promptOf[r] >= prompts.batchSize()) {
                throw new ModelException("completion row " + r + " points at prompt " + promptOf[r] + " of "
                        + prompts.batchSize());
            }
            if (lengths[r] < 0 || lengths[r] > width) {
                throw new ModelException("completion row " + r + " has length " + lengths[r] + ", expected 0.."
                        + width);
            }
        }
    }

    /** Completion rows. */
    public int rows() {
        return completions.length;
    }

    /** Completion columns: the longest completion's length. */
    public int width() {
        return completions[0].length;
    }
}

package org.pathoreason.train.rl;

import java.util.function.Function;
import java.util.ArrayList;
import java.util.List;
import org.pathoreason.data.Sample;
import org.pathoreason.model.Prompt;
import org.pathoreason.train.DataOrder;
import org.pathoreason.train.DataPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws the prompts of rollout rounds from the data in the run's {@link DataOrder} (seeded shuffle per epoch, a
 * position that goes into checkpoints), encodes them, and skips prompts longer than {@code max_prompt_length}
 * (as verl's {@code filter_overlong_prompts}), drawing others in their place.
 */
final class PromptSource {

    private static final Logger LOG = LoggerFactory.getLogger(PromptSource.class);

    private final List<Sample> samples;
    private final Function<Sample, Prompt> encoder;
    private final DataOrder.Cursor cursor;
    private final int maxPromptLength;
    private long skipped;

    PromptSource(List<Sample> samples, Function<Sample, Prompt> encoder, DataOrder order, DataPosition start,
                 int maxPromptLength) {
        this.samples = samples;
        this.encoder = encoder;
        this.cursor = order.cursor(start);
        this.maxPromptLength = maxPromptLength;
    }

    /** The next {@code n} prompts that fit. */
    List<RolloutCollector.PromptItem> next(int n) {
        List<RolloutCollector.PromptItem> out = new ArrayList<>(n);
        int skippedInARow = 0;
        while (out.size() < n) {
            for (int index : cursor.nextBatch(n - out.size())) {
                Sample s = samples.get(index);
                Prompt p = encoder.apply(s);
                if (p.tokenIds().length > maxPromptLength) {
                    skipped++;
                    if (++skippedInARow > samples.size()) {
                        throw new IllegalArgumentException("every prompt is longer than rl.max_prompt_length = "
                                + maxPromptLength + " tokens (e.g. sample " + s.id() + " has " + p.tokenIds().length
                                + "); raise it or use smaller images");
                    }
                    LOG.warn("sample {}: prompt of {} tokens exceeds rl.max_prompt_length {}; skipped", s.id(),
                            p.tokenIds().length, maxPromptLength);
                    continue;
                }
                skippedInARow = 0;
                out.add(new RolloutCollector.PromptItem(s, p));
            }
        }
        return out;
    }

    DataPosition position() {
        return cursor.position();
    }

    int epoch() {
        return cursor.epoch();
    }

    /** Prompts skipped as too long since this source was made. */
    long skipped() {
        return skipped;
    }
}

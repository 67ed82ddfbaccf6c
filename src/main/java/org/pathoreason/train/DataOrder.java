package org.pathoreason.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The order in which a run visits a data set: a fresh seeded shuffle per epoch (or the file order when shuffling
 * is off), read through a {@link Cursor} whose {@link DataPosition} goes into the checkpoint. The permutation of an
 * epoch depends only on (seed, epoch), so a resumed run sees the same samples in the same order.
 */
public final class DataOrder {

    private final int size;
    private final long seed;
    private final boolean shuffle;

    public DataOrder(int size, long seed, boolean shuffle) {
        if (size <= 0) {
            throw new IllegalArgumentException("data set is empty: nothing to train on");
        }
        this.size = size;
        this.seed = seed;
        this.shuffle = shuffle;
    }

    public int size() {
        return size;
    }

    /** The visiting order of epoch {@code epoch}: a permutation of 0..size-1. */
    public int[] epochOrder(int epoch) {
        int[] order = new int[size];
        Arrays.setAll(order, i -> i);
        if (shuffle) {
            // Fisher-Yates with a generator owned by this epoch alone.
            SplittableRandom rng = StepRandom.at(seed, epoch, "data-order");
            for (int i = size - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** A cursor that starts at {@code position}. */
    public Cursor cursor(DataPosition position) {
        if (position.index() > size) {
            throw new IllegalArgumentException("data position " + position.index() + " is past the end of a data set of "
                    + size + " samples: the checkpoint belongs to other data");
        }
        return new Cursor(position);
    }

    /** Reads sample indices in order, batch by batch, and tells where it stands. */
    public final class Cursor {

        private int epoch;
        private int index;
        private int[] order;

        private Cursor(DataPosition start) {
            this.epoch = start.epoch();
            this.index = start.index();
        }

        /**
         * The next batch of up to {@code batchSize} sample indices. A batch never spans two epochs: the last batch
         * of an epoch may be shorter (as a PyTorch DataLoader with {@code drop_last=False}); the call after it
         * starts the next epoch.
         */
        public int[] nextBatch(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
            }
            if (index >= size) {
                epoch++;
                index = 0;
                order = null;
            }
            if (order == null) {
                order = epochOrder(epoch);
            }
            int n = Math.min(batchSize, size - index);
            int[] batch = Arrays.copyOfRange(order, index, index + n);
            index += n;
            return batch;
        }

        /** The position to save: resuming a cursor from it continues with the next unread sample. */
        public DataPosition position() {
            return new DataPosition(epoch, index);
        }

        /** The epoch of the most recent batch. */
        public int epoch() {
            return epoch;
        }

        /** True when the current epoch has been read to its end. */
        public boolean endOfEpoch() {
            return index >= size;
        }
    }
}

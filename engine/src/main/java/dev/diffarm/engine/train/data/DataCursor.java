package dev.diffarm.engine.train.data;

/**
 * The position of the next batch: what a training state saves to resume its data where it stopped. Since each
 * epoch's plan is a function of the seed and the epoch number ({@link DataRandom}), these two numbers restore it
 * exactly.
 *
 * @param epoch the epoch, from 0
 * @param batch the batch within the epoch, from 0
 */
public record DataCursor(int epoch, int batch) {
    /** The first batch of the first epoch. */
    public static final DataCursor START = new DataCursor(0, 0);

    public DataCursor {
        if (epoch < 0 || batch < 0) {
            throw new IllegalArgumentException("a data cursor is not negative, got epoch " + epoch + " batch " + batch);
        }
    }
}

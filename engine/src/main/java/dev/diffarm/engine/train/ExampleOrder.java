package dev.diffarm.engine.train;

import java.util.Arrays;

/**
 * Which examples each micro-batch takes: the examples in order (or, shuffled, in an order drawn from the run's
 * generator at the start of every epoch by a Fisher-Yates pass of {@code randint} draws), batches taken one after the
 * other and wrapping into the next epoch. Its {@link Cursor} is part of a saved training state.
 */
final class ExampleOrder {
    private final int size;
    private final boolean shuffle;
    private int[] order;
    private int position;
    private long epoch;

    /** The position of a saved run: the current epoch's order and the next example's place in it. */
    record Cursor(long epoch, int position, int[] order) {
        Cursor {
            order = order.clone();
        }

        @Override
        public int[] order() {
            return order.clone();
        }
    }

    ExampleOrder(int size, boolean shuffle) {
        if (size < 1) {
            throw new IllegalArgumentException("data: no examples to train on");
        }
        this.size = size;
        this.shuffle = shuffle;
        this.position = size; // the first call starts epoch 0
        this.epoch = -1;
    }

    /** The indices of the next {@code batch} examples; a new epoch starts when the current one runs out. */
    int[] next(int batch, Draws draws) {
        int[] out = new int[batch];
        for (int i = 0; i < batch; i++) {
            if (position == size) {
                startEpoch(draws);
            }
            out[i] = order[position++];
        }
        return out;
    }

    private void startEpoch(Draws draws) {
        epoch++;
        position = 0;
        order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (shuffle) {
            for (int i = size - 1; i > 0; i--) {
                int j = (int) draws.randint(i + 1, 1)[0];
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
        }
    }

    Cursor cursor() {
        return new Cursor(epoch, position, order == null ? new int[0] : order);
    }

    void restore(Cursor cursor) {
        if (cursor.order().length != 0 && cursor.order().length != size) {
            throw new IllegalArgumentException("saved data cursor covers " + cursor.order().length + " examples, the data has "
                    + size);
        }
        this.epoch = cursor.epoch();
        this.position = cursor.order().length == 0 ? size : cursor.position();
        this.order = cursor.order().length == 0 ? null : cursor.order();
    }

    @Override
    public String toString() {
        return "epoch " + epoch + ", position " + position + " of " + Arrays.toString(order);
    }
}

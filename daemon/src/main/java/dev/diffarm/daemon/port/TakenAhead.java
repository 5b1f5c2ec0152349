package dev.diffarm.daemon.port;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The deliveries each worker thread took ahead ({@link JobSource#takeWaiting}), which its next polls return first, in
 * order. A source keeps one; every worker thread sees only its own.
 *
 * @param <D> the source's kind of delivery
 */
public final class TakenAhead<D extends Delivery> {
    private final ThreadLocal<Deque<D>> taken = ThreadLocal.withInitial(ArrayDeque::new);

    /** Adds deliveries the calling worker took, after those it took before. */
    public void add(List<? extends D> deliveries) {
        taken.get().addAll(deliveries);
    }

    /** The calling worker's oldest delivery taken ahead and not polled yet, now taken out. */
    public Optional<D> next() {
        return Optional.ofNullable(taken.get().pollFirst());
    }
}

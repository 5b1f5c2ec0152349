package dev.diffarm.daemon;

import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.farm.config.JobEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** An event sink that keeps every event, for assertions, and lets a test act on them as they come. */
public final class RecordedEvents implements EventSink {
    private final List<JobEvent> events = new ArrayList<>();
    private volatile Consumer<JobEvent> listener = event -> {
    };

    @Override
    public void publish(JobEvent event) {
        synchronized (this) {
            events.add(event);
        }
        listener.accept(event);
    }

    /** Hands every event published from now on to {@code listener}, on the publishing thread, after recording it. */
    public void whenPublished(Consumer<JobEvent> listener) {
        this.listener = listener;
    }

    public synchronized List<JobEvent> all() {
        return List.copyOf(events);
    }

    /** The events of {@code jobId}, in order. */
    public synchronized List<JobEvent> of(String jobId) {
        return events.stream().filter(event -> event.recordKey().filter(jobId::equals).isPresent()).toList();
    }

    /** The types of {@code jobId}'s events without the progress ones, in order. */
    public List<String> milestones(String jobId) {
        return of(jobId).stream().map(JobEvent::type).filter(type -> !type.equals(JobEvent.Progress.TYPE)).toList();
    }

    public synchronized void clear() {
        events.clear();
    }
}

package dev.diffarm.daemon;

import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.farm.config.JobEvent;
import java.util.ArrayList;
import java.util.List;

/** An event sink that keeps every event, for assertions. */
public final class RecordedEvents implements EventSink {
    private final List<JobEvent> events = new ArrayList<>();

    @Override
    public synchronized void publish(JobEvent event) {
        events.add(event);
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

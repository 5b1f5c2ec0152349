package dev.diffarm.daemon.event;

import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.farm.config.JobEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The in-memory events of recent jobs, for {@code GET /jobs/{id}/events}: a listener that subscribes to a
 * job first gets the events it missed, then each new one as it is published. Each job keeps its latest
 * {@code historyPerJob} events, and the latest {@code jobs} jobs are kept.
 */
public final class EventBroadcaster implements EventSink {
    private final int jobs;
    private final int historyPerJob;
    private final Map<String, Channel> channels = new LinkedHashMap<>();

    /** The events of one job and who listens to them. */
    private static final class Channel {
        final List<JobEvent> history = new ArrayList<>();
        final List<Consumer<JobEvent>> listeners = new CopyOnWriteArrayList<>();
    }

    /** A listener's registration; closing it stops the events. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    public EventBroadcaster(int jobs, int historyPerJob) {
        this.jobs = jobs;
        this.historyPerJob = historyPerJob;
    }

    @Override
    public void publish(JobEvent event) {
        Optional<String> jobId = event.recordKey();
        if (jobId.isEmpty()) {
            return;
        }
        List<Consumer<JobEvent>> listeners;
        synchronized (this) {
            Channel channel = channel(jobId.get());
            channel.history.add(event);
            if (channel.history.size() > historyPerJob) {
                channel.history.remove(0);
            }
            listeners = List.copyOf(channel.listeners);
        }
        listeners.forEach(listener -> listener.accept(event));
    }

    /**
     * Sends {@code listener} the job's past events, then its new ones, on the publishing thread. The past
     * ones are sent before any new one.
     */
    public Subscription subscribe(String jobId, Consumer<JobEvent> listener) {
        List<JobEvent> past;
        synchronized (this) {
            Channel channel = channel(jobId);
            past = List.copyOf(channel.history);
            // Registered while holding the lock: no event is published between the copy and the registration.
            channel.listeners.add(listener);
            past.forEach(listener);
        }
        return () -> {
            synchronized (this) {
                Channel channel = channels.get(jobId);
                if (channel != null) {
                    channel.listeners.remove(listener);
                }
            }
        };
    }

    /** The job's retained events, oldest first. */
    public synchronized List<JobEvent> history(String jobId) {
        Channel channel = channels.get(jobId);
        return channel == null ? List.of() : List.copyOf(channel.history);
    }

    private Channel channel(String jobId) {
        Channel channel = channels.remove(jobId);
        if (channel == null) {
            channel = new Channel();
        }
        channels.put(jobId, channel);
        Iterator<Channel> oldestFirst = channels.values().iterator();
        while (channels.size() > jobs && oldestFirst.hasNext()) {
            if (oldestFirst.next().listeners.isEmpty()) {
                oldestFirst.remove();
            }
        }
        return channel;
    }
}

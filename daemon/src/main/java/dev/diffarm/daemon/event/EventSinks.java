package dev.diffarm.daemon.event;

import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.farm.config.JobEvent;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Publishes every event to several sinks in turn; one sink that fails does not keep the event from the others.
 * Closing closes each sink.
 */
public final class EventSinks implements EventSink {
    private static final Logger LOG = Logger.getLogger(EventSinks.class);
    private final List<EventSink> sinks;

    private EventSinks(List<EventSink> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    public static EventSink of(EventSink... sinks) {
        return new EventSinks(List.of(sinks));
    }

    @Override
    public void publish(JobEvent event) {
        for (EventSink sink : sinks) {
            try {
                sink.publish(event);
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s could not publish a %s event", sink.getClass().getSimpleName(), event.type());
            }
        }
    }

    @Override
    public void close() {
        for (EventSink sink : sinks) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.errorf(e, "closing %s failed", sink.getClass().getSimpleName());
            }
        }
    }
}

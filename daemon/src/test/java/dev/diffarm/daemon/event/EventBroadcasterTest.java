package dev.diffarm.daemon.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.farm.config.JobEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBroadcasterTest {
    @Test
    void aLateListenerGetsThePastThenTheNew() {
        EventBroadcaster broadcaster = new EventBroadcaster(10, 10);
        broadcaster.publish(new JobEvent.Accepted("a", "render", 1));
        broadcaster.publish(new JobEvent.Accepted("other", "render", 1));
        List<String> seen = new ArrayList<>();
        EventBroadcaster.Subscription subscription = broadcaster.subscribe("a", event -> seen.add(event.type()));
        broadcaster.publish(new JobEvent.Completed("a", List.of("jobs/a/t0000.png")));
        subscription.close();
        broadcaster.publish(new JobEvent.Accepted("a", "render", 1));

        assertEquals(List.of("accepted", "completed"), seen);
        assertEquals(3, broadcaster.history("a").size());
    }

    @Test
    void keepsTheLatestEventsOfTheLatestJobs() {
        EventBroadcaster broadcaster = new EventBroadcaster(2, 3);
        for (int step = 1; step <= 5; step++) {
            broadcaster.publish(new JobEvent.Progress("a", "t0000", step, 5, 0, 1));
        }
        assertEquals(List.of(3, 4, 5), broadcaster.history("a").stream().map(e -> ((JobEvent.Progress) e).step()).toList());
        broadcaster.publish(new JobEvent.Accepted("b", "render", 1));
        broadcaster.publish(new JobEvent.Accepted("c", "render", 1));
        assertEquals(List.of(), broadcaster.history("a"), "the oldest job is forgotten");
    }
}

package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.JobEvent;
import java.util.Optional;
import java.util.function.ObjLongConsumer;
import org.jboss.logging.Logger;

/**
 * Makes a job that ended on some node of the farm end on this one too: fed with the farm's events (every node's, from
 * the events topic), it acts on the end of a job this daemon has a part in.
 * <ul>
 *   <li>{@code failed}, cancelled, of a job running here: it stops before its next step, as when cancelled here, and
 *       sends no second {@code failed} (the node that cancelled it sent one); a split job's record here marks its split
 *       cancelled, for its chunks that have not started;</li>
 *   <li>{@code completed} or {@code failed} of a split job whose record is here: that record, waiting for the job's
 *       end, ends alike (the node that handled its finalize record sent the event), so the tenant's quota and a later
 *       {@code DELETE} see it ended;</li>
 *   <li>{@code failed} or cancelled, of a job whose chunks run here: they stop before their next step.</li>
 * </ul>
 * A {@code failed} with code {@value JobLifecycle#MOVED} is no end: the job runs on. Nor is an event sent before the
 * run here began (by its producer's clock): it ended an earlier attempt of the job, read again when this node's view
 * replays the topic, or sent just before the job was sent again. Runs on the reader's thread, so it does nothing slow
 * except a split job's cancel mark, one store write.
 */
public final class FarmJobEnds implements ObjLongConsumer<JobEvent> {
    private static final Logger LOG = Logger.getLogger(FarmJobEnds.class);

    private final JobRegistry registry;

    public FarmJobEnds(JobRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param event        the farm's event
     * @param sentAtMillis when it was sent, in the epoch's milliseconds (its record's timestamp)
     */
    @Override
    public void accept(JobEvent event, long sentAtMillis) {
        if (event instanceof JobEvent.Completed completed) {
            running(completed.jobId(), sentAtMillis)
                    .ifPresent(attempt -> attempt.endedElsewhere(JobState.COMPLETED, Optional.empty()));
        } else if (event instanceof JobEvent.Failed failed && !failed.error().code().equals(JobLifecycle.MOVED)) {
            boolean cancelled = failed.error().code().equals(JobLifecycle.CANCELLED);
            running(failed.jobId(), sentAtMillis).ifPresent(attempt -> {
                if (cancelled) {
                    LOG.infof("job %s was cancelled on another node: stopping it here", failed.jobId());
                    attempt.cancelledElsewhere();
                } else {
                    attempt.endedElsewhere(JobState.FAILED, Optional.of(failed.error()));
                }
            });
            registry.runningParts(failed.jobId()).stream().filter(part -> part.runningSince() <= sentAtMillis)
                    .forEach(TrackedJob::cancelledElsewhere);
        }
    }

    /** This daemon's record of the job if it runs, and began before {@code sentAtMillis}. */
    private Optional<TrackedJob> running(String jobId, long sentAtMillis) {
        return registry.find(jobId).filter(attempt -> attempt.state() == JobState.RUNNING
                && attempt.runningSince() <= sentAtMillis);
    }
}

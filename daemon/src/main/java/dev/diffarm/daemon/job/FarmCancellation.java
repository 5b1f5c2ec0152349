package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.JobEvent;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Cancels a job that runs on other nodes of the farm, for a node that runs none of it: its splits not ended are marked
 * cancelled in the store (their chunks render no task not begun: each looks before every task), then its
 * {@code failed} event, cancelled, goes out; every node's {@link FarmJobEnds} stops what it runs of the job at its next
 * step, without a second event.
 */
public final class FarmCancellation {
    private static final Logger LOG = Logger.getLogger(FarmCancellation.class);

    private final OutputStore store;
    private final JobReporting reporting;

    public FarmCancellation(OutputStore store, JobReporting reporting) {
        this.store = store;
        this.reporting = reporting;
    }

    /**
     * Cancels job {@code jobId} of {@code tenant} on the nodes that run it.
     *
     * @param tenant whose job it is, as its events tell; empty for a job whose events name none (its splits, were it
     *               split, could not be found: its chunks then stop on their nodes' {@link FarmJobEnds} alone)
     * @throws dev.diffarm.daemon.port.StoreException when the store cannot be marked: nothing was sent
     */
    public void cancel(String jobId, String tenant) {
        int splits = 0;
        if (Tenants.isValid(tenant)) {
            String prefix = TenantOutputs.prefix(tenant);
            splits = FanOut.cancelAll(prefix.isEmpty() ? store : TenantOutputs.scoped(store, prefix), jobId);
        }
        EventError error = new EventError(JobLifecycle.CANCELLED, "job " + jobId + " was cancelled: its tasks not begun "
                + "are not rendered");
        reporting.events().publish(new JobEvent.Failed(jobId, Optional.empty(), error));
        reporting.metrics().jobFinished(JobState.CANCELLED);
        LOG.infof("job %s cancelled for the farm (%d splits marked)", jobId, splits);
    }
}

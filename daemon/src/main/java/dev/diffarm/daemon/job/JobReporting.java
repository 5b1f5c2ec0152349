package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.EventSink;

/**
 * Where the job flow reports what happens: the daemon's own record of jobs (for {@code GET /jobs/{id}}),
 * the events (for other systems) and the meters (for operators).
 *
 * @param registry the jobs this daemon knows
 * @param events   where job events go
 * @param metrics  the farm's meters
 */
public record JobReporting(JobRegistry registry, EventSink events, FarmMetrics metrics) {
}

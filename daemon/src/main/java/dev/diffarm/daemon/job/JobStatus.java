package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.EventError;
import java.util.List;
import java.util.Optional;

/**
 * What {@code GET /jobs/{id}} answers.
 *
 * @param id             the job's id
 * @param tenant         whose job it is
 * @param state          {@link JobState#label()}
 * @param kind           {@code render}, {@code campaign} or {@code merge}; empty for a rejected submission
 * @param tasks          how many tasks the job has: its images, or 1 for a merge
 * @param tasksCompleted how many are stored (made or found stored)
 * @param task           the task being worked on, while one is
 * @param step           sampling steps of that task done (merged tensors, for a merge)
 * @param steps          its sampling steps (the tensors to merge)
 * @param keys           object keys stored so far: images in plan order, then the contact sheet and gallery; or
 *                       the merge's record
 * @param errors         why it failed or was rejected; empty otherwise
 */
public record JobStatus(String id, String tenant, String state, String kind, int tasks, int tasksCompleted,
                        Optional<String> task, int step, int steps, List<String> keys, List<EventError> errors) {
}

package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.EventError;
import java.util.List;
import java.util.Optional;

/**
 * What {@code GET /jobs/{id}} answers.
 *
 * @param id             the job's id
 * @param state          {@link JobState#label()}
 * @param kind           {@code render} or {@code campaign}; empty for a rejected submission
 * @param tasks          how many images the job makes
 * @param tasksCompleted how many are stored (rendered or found stored)
 * @param task           the task being rendered, while one is
 * @param step           sampling steps of that task done
 * @param steps          its sampling steps
 * @param keys           object keys stored so far: images in plan order, then the contact sheet and gallery
 * @param errors         why it failed or was rejected; empty otherwise
 */
public record JobStatus(String id, String state, String kind, int tasks, int tasksCompleted, Optional<String> task,
                        int step, int steps, List<String> keys, List<EventError> errors) {
}

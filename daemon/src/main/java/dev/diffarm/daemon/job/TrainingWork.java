package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.TrainJob;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What one task of a train job trains.
 *
 * @param job       the job
 * @param run       the task's combination of the job's sweep
 * @param data      the dataset's folder, checked
 * @param out       where the result goes
 * @param resume    the engine's state folder to continue from; empty to start afresh
 * @param classData DreamBooth's class images for prior preservation ({@link ClassImages}); empty without
 */
record TrainingWork(TrainJob job, TrainJob.Run run, Path data, Path out, Optional<Path> resume,
                    Optional<Path> classData) {
}

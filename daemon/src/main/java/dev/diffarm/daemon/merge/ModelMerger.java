package dev.diffarm.daemon.merge;

import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.merge.CheckpointMerge;
import dev.diffarm.engine.merge.MergeException;
import dev.diffarm.engine.merge.MergeMode;
import dev.diffarm.engine.merge.MergeProgress;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.safetensors.SafetensorsException;
import dev.diffarm.farm.config.MergeJob;
import dev.diffarm.farm.config.MergeMethod;
import dev.diffarm.farm.config.MergeRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Makes the model of a {@link MergeJob} in the farm's models directory with the engine's streaming
 * {@link CheckpointMerge}, so that render jobs can name it as soon as the job completes, and puts it into the store
 * as {@code models/<output>.safetensors} ({@link #storeKey}) with its SHA-256, for the other nodes of the farm:
 * <ol>
 *   <li>if the job's record is stored with the job's parameter hash and the model file has the recorded SHA-256, the
 *       model is there already: it is only put into the store if it is not there yet (a redelivered job);</li>
 *   <li>otherwise a model under the output name, in the directory or in the store (unless this job recorded it),
 *       fails the job ({@value #OUTPUT_EXISTS}): a merge never replaces a model;</li>
 *   <li>the inputs are hashed and merged into a hidden file beside the target, the record is stored, the file is
 *       renamed to {@code <output>.safetensors}, which makes it a model of the directory, and is then streamed into
 *       the store.</li>
 * </ol>
 * The record goes first so that a daemon that dies before the rename merges again on the next delivery, and one
 * that dies after it finds the model recorded and finishes the upload. A failure or a cancellation leaves no file
 * behind; a store that fails mid-upload keeps no part of the object.
 */
public final class ModelMerger {
    /** An input is no longer in the models directory, or cannot be read as a model: the code render jobs use too. */
    public static final String MODEL_UNAVAILABLE = RenderException.MODEL_UNAVAILABLE;
    /** A model of the output's name exists and is not this job's. */
    public static final String OUTPUT_EXISTS = "output-exists";
    /** The inputs are of different architectures, or the merged file could not be written. */
    public static final String MERGE_FAILED = "merge-failed";

    private static final Logger LOG = Logger.getLogger(ModelMerger.class);
    private static final List<String> INPUT_FIELDS = List.of("a", "b", "c");
    /** Where the farm's models lie in the store. */
    private static final String STORE_FOLDER = "models/";
    private static final String CHECKPOINT_TYPE = "application/octet-stream";

    private final ModelDirectory models;
    private final OutputStore store;

    /** What {@link #merge} did. */
    public enum Outcome {
        MERGED,
        /** The job's model was made by an earlier delivery of it and is unchanged. */
        ALREADY_MERGED
    }

    public ModelMerger(ModelDirectory models, OutputStore store) {
        this.models = models;
        this.store = store;
    }

    /**
     * Makes the job's model, or finds it made.
     *
     * @param progress told of each merged tensor; what it throws (a cancellation) stops the merge
     * @throws MergeFailure                             with the job's {@code failed} error
     * @throws dev.diffarm.daemon.port.StoreException   when the record cannot be read or stored
     */
    public Outcome merge(MergeJob job, MergeProgress progress) {
        Path target = models.dir().resolve(job.outputFile());
        Optional<String> mergedSha256 = mergedAlready(job, target);
        if (mergedSha256.isPresent()) {
            LOG.infof("job %s: %s is the model it merged before; not merging again", job.id(), target);
            if (!store.exists(storeKey(job))) {
                upload(job, target, mergedSha256.get());
            }
            return Outcome.ALREADY_MERGED;
        }
        requireNewName(job, target);
        List<Path> inputs = resolveInputs(job);
        // Hidden, so that the directory does not list it as a model while it is written.
        Path partial = target.resolveSibling("." + job.outputFile() + ".partial");
        try {
            long start = System.nanoTime();
            List<String> inputSha256 = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                inputSha256.add(inputSha256(INPUT_FIELDS.get(i), inputs.get(i)));
            }
            long merging = System.nanoTime();
            int tensors = write(job, inputs, partial, progress);
            double seconds = (System.nanoTime() - merging) / 1e9;
            String outputSha256 = outputSha256(partial);
            MergeRecord record = new MergeRecord(job, inputSha256, size(partial), outputSha256, tensors, seconds);
            store.put(job.recordKey(), record.toJson().getBytes(StandardCharsets.UTF_8), "application/json");
            publish(job, partial, target);
            upload(job, target, outputSha256);
            LOG.infof("job %s: merged %d tensors into %s in %.2f s (%.2f s in all, hashing included)", job.id(), tensors, target,
                    seconds, (System.nanoTime() - start) / 1e9);
            return Outcome.MERGED;
        } finally {
            deleteIfLeft(partial);
        }
    }

    /** The object key of the job's model in the store: {@code models/<output>.safetensors}. */
    public static String storeKey(MergeJob job) {
        return STORE_FOLDER + job.outputFile();
    }

    /** The model's SHA-256 if {@code target} is the model this job merged and recorded before. */
    private Optional<String> mergedAlready(MergeJob job, Path target) {
        if (!Files.isRegularFile(target)) {
            return Optional.empty();
        }
        return recordOfThisJob(job).map(MergeRecord.Stored::outputSha256)
                .filter(recorded -> recorded.equals(outputSha256(target)));
    }

    /** The stored record of an earlier delivery of this job, with the same parameters. */
    private Optional<MergeRecord.Stored> recordOfThisJob(MergeJob job) {
        return store.get(job.recordKey()).flatMap(MergeRecord::stored)
                .filter(record -> record.parameterHash().equals(job.parameterHash()));
    }

    private void requireNewName(MergeJob job, Path target) {
        Optional<ModelDirectory.Model> taken = models.find(job.output());
        if (taken.isPresent() || Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw outputExists(job, taken.map(ModelDirectory.Model::path).orElse(target).toString(), "in " + models.dir());
        }
        // This job's own object, from a delivery whose local file was lost, is replaced by the same merge again.
        if (store.exists(storeKey(job)) && recordOfThisJob(job).isEmpty()) {
            throw outputExists(job, storeKey(job), "in the store " + store.location());
        }
    }

    private MergeFailure outputExists(MergeJob job, String existing, String where) {
        return new MergeFailure(OUTPUT_EXISTS, "output = \"" + job.output() + "\": expected a name no model " + where
                + " has, but " + existing + " is there and job " + job.id() + " did not make it",
                Optional.of("output"), null);
    }

    /** Streams the published model into the store, its SHA-256 along, so the farm's other nodes can fetch and check it. */
    private void upload(MergeJob job, Path model, String sha256) {
        long start = System.nanoTime();
        store.put(storeKey(job), model, ObjectMetadata.withSha256(CHECKPOINT_TYPE, sha256));
        LOG.infof("job %s: stored %s as %s in %s in %.2f s", job.id(), model, storeKey(job), store.location(),
                (System.nanoTime() - start) / 1e9);
    }

    /** The inputs' paths; they were in the directory when the job was accepted, but may have gone since. */
    private List<Path> resolveInputs(MergeJob job) {
        List<Path> paths = new ArrayList<>();
        List<String> names = job.models();
        for (int i = 0; i < names.size(); i++) {
            String field = INPUT_FIELDS.get(i);
            String name = names.get(i);
            paths.add(models.find(name).map(ModelDirectory.Model::path).orElseThrow(() -> new MergeFailure(
                    MODEL_UNAVAILABLE, field + " = \"" + name + "\": the model is no longer in " + models.dir(),
                    Optional.of(field), null)));
        }
        return paths;
    }

    private int write(MergeJob job, List<Path> inputs, Path partial, MergeProgress progress) {
        List<ModelFiles> files = new ArrayList<>();
        try {
            for (int i = 0; i < inputs.size(); i++) {
                files.add(open(INPUT_FIELDS.get(i), job.models().get(i), inputs.get(i)));
            }
            return CheckpointMerge.merge(mode(job.method()), job.multiplier(), files, partial, progress).tensors();
        } catch (MergeException | SafetensorsException | ModelLoadException e) {
            throw new MergeFailure(MERGE_FAILED, "the models " + job.models() + " cannot be merged: " + e.getMessage(),
                    Optional.empty(), e);
        } catch (IOException e) {
            throw new MergeFailure(MERGE_FAILED, "cannot write the merged model to " + partial + ": " + e, Optional.empty(), e);
        } finally {
            files.forEach(ModelFiles::close);
        }
    }

    private static ModelFiles open(String field, String name, Path path) {
        try {
            return ModelFiles.open(path, Optional.empty());
        } catch (ModelLoadException | SafetensorsException e) {
            throw new MergeFailure(MODEL_UNAVAILABLE, field + " = \"" + name + "\": " + e.getMessage(), Optional.of(field), e);
        }
    }

    private static MergeMode mode(MergeMethod method) {
        return switch (method) {
            case WEIGHTED_SUM -> MergeMode.WEIGHTED_SUM;
            case ADD_DIFFERENCE -> MergeMode.ADD_DIFFERENCE;
        };
    }

    private void publish(MergeJob job, Path partial, Path target) {
        try {
            // Without REPLACE_EXISTING: a model that took the name meanwhile stays, and this job fails.
            Files.move(partial, target);
        } catch (FileAlreadyExistsException e) {
            throw outputExists(job, target.toString(), "in " + models.dir());
        } catch (IOException e) {
            throw new MergeFailure(MERGE_FAILED, "cannot move the merged model to " + target + ": " + e, Optional.empty(), e);
        }
    }

    private static String inputSha256(String field, Path model) {
        try {
            return ModelHash.sha256(model);
        } catch (IOException e) {
            throw new MergeFailure(MODEL_UNAVAILABLE, field + ": cannot read " + model + ": " + e, Optional.of(field), e);
        }
    }

    private static String outputSha256(Path file) {
        try {
            return ModelHash.sha256(file);
        } catch (IOException e) {
            throw new MergeFailure(MERGE_FAILED, "cannot read the merged model " + file + ": " + e, Optional.empty(), e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new MergeFailure(MERGE_FAILED, "cannot read the size of " + file + ": " + e, Optional.empty(), e);
        }
    }

    private static void deleteIfLeft(Path partial) {
        try {
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            LOG.warnf("cannot delete the unfinished merge %s: %s", partial, e);
        }
    }
}

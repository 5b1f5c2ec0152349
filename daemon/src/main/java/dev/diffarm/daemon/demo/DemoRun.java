package dev.diffarm.daemon.demo;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.gallery.JobGallery;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.Tenants;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.engine.demo.DemoModel;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TaskSpec;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The demo: the campaign in {@value #CAMPAIGN} (beside this class) run by this daemon, as a job submitted over
 * REST is run. It writes the small random-weight demo model ({@link DemoModel}) into the models folder as
 * {@value #MODEL} unless it is there, submits the campaign through the {@link JobIntake}, prints a line for
 * each image as the worker stores it, and at the end where the images, the contact sheet and the gallery are.
 * The queue, the worker, the renderer and the store are the daemon's own, whatever it is configured with;
 * {@code scripts/diffarm demo} runs it on the embedded defaults in {@code .diffarm/demo/}.
 */
@Singleton
public class DemoRun {
    /** The demo model's name in the models folder, which the campaign names. */
    public static final String MODEL = "demo";
    /** The campaign, a class-path resource beside this class. */
    public static final String CAMPAIGN = "campaign.json";
    /** A job that tells nothing for this long is taken to be stuck: the demo gives up rather than hang. */
    private static final Duration SILENCE = Duration.ofMinutes(5);

    private final FarmSettings settings;
    private final JobIntake intake;
    private final EventBroadcaster events;
    private final OutputStore store;

    DemoRun(FarmSettings settings, JobIntake intake, EventBroadcaster events, OutputStore store) {
        this.settings = settings;
        this.intake = intake;
        this.events = events;
        this.store = store;
    }

    /** The campaign's JSON, as submitted. */
    public static byte[] campaign() {
        try (InputStream in = DemoRun.class.getResourceAsStream(CAMPAIGN)) {
            if (in == null) {
                throw new IllegalStateException(CAMPAIGN + " is missing beside " + DemoRun.class.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the demo campaign: " + e, e);
        }
    }

    /**
     * Runs the demo, reporting to {@code out}.
     *
     * @return the exit code: 0 when the campaign completed, 1 when it was refused, failed or went silent
     * @throws IOException when the demo model cannot be written
     */
    public int run(PrintStream out) throws IOException, InterruptedException {
        ensureModel(out);
        JobIntake.Submission submission = intake.submit(campaign(), Tenants.DEFAULT);
        if (submission instanceof JobIntake.Submission.Invalid invalid) {
            out.println("diffarm demo: the daemon refused the demo campaign:");
            invalid.result().errors().forEach(error -> out.println("  " + EventError.of(error).message()));
            return 1;
        }
        if (submission instanceof JobIntake.Submission.Taken taken) {
            out.println("diffarm demo: the daemon refused the demo campaign: " + taken.message());
            return 1;
        }
        Job submitted = ((JobIntake.Submission.Queued) submission).job();
        if (!(submitted instanceof ImageJob job)) {
            out.println("diffarm demo: the demo campaign is not an image job: " + submitted.kind());
            return 1;
        }
        Plan plan = job.plan();
        out.println(String.format("diffarm demo: submitted %s \"%s\" (%d images) to %s", job.kind(), job.id(),
                job.taskCount(), settings.kafka().isPresent() ? "Kafka topic " + settings.topics().jobs()
                        : settings.localQueueDir()));
        BlockingQueue<JobEvent> received = new LinkedBlockingQueue<>();
        // Ctrl-C stops the daemon; cancelled, the job stops at its next step instead of holding the stop up.
        Thread cancelOnStop = new Thread(() -> intake.cancel(job.id()), "diffarm-demo-cancel");
        Runtime.getRuntime().addShutdownHook(cancelOnStop);
        try (EventBroadcaster.Subscription subscription = events.subscribe(job.id(), received::add)) {
            return follow(plan, received, out);
        } finally {
            removeShutdownHook(cancelOnStop);
        }
    }

    private void ensureModel(PrintStream out) throws IOException {
        Path model = settings.modelsDir().resolve(MODEL);
        if (Files.isRegularFile(model.resolve("model_index.json"))) {
            out.println("diffarm demo: model \"" + MODEL + "\" in " + model);
            return;
        }
        long start = System.nanoTime();
        try {
            DemoModel.ensure(model);
        } catch (IOException e) {
            throw new IOException("cannot write the demo model to " + model + ": " + e, e);
        }
        out.println(String.format("diffarm demo: wrote the model \"%s\" (small, random weights: its images are "
                + "abstract) to %s in %.1f s", MODEL, model, seconds(start)));
    }

    /**
     * Prints the job's events as they come until its last one; the exit code. Each line is printed whole: the
     * daemon's log may write to the same terminal.
     */
    private int follow(Plan plan, BlockingQueue<JobEvent> received, PrintStream out) throws InterruptedException {
        Map<String, TaskSpec> tasks = plan.tasks().stream()
                .collect(Collectors.toMap(TaskSpec::id, Function.identity()));
        long start = System.nanoTime();
        long lastTask = start;
        while (true) {
            JobEvent event = received.poll(SILENCE.toSeconds(), TimeUnit.SECONDS);
            if (event == null) {
                out.println(String.format("diffarm demo: job %s has told nothing for %d minutes; giving up",
                        plan.jobId(), SILENCE.toMinutes()));
                return 1;
            }
            if (event instanceof JobEvent.Accepted) {
                start = System.nanoTime();
                lastTask = start;
            } else if (event instanceof JobEvent.TaskCompleted done) {
                out.println(taskLine(plan, tasks.get(done.taskId()), done.skipped(), seconds(lastTask)));
                lastTask = System.nanoTime();
            } else if (event instanceof JobEvent.Completed completed) {
                printOutputs(plan, completed.keys(), seconds(start), out);
                return 0;
            } else if (event instanceof JobEvent.Failed failed) {
                String where = failed.taskId().map(id -> " at " + id).orElse("");
                if (failed.error().code().equals(JobLifecycle.CANCELLED)) {
                    out.println(String.format("diffarm demo: job %s cancelled%s", plan.jobId(), where));
                } else {
                    out.println(String.format("diffarm demo: job %s failed%s: %s (%s)", plan.jobId(), where,
                            failed.error().message(), failed.error().code()));
                }
                if (failed.error().code().equals(RenderException.MODEL_UNAVAILABLE)) {
                    out.println("diffarm demo: delete " + settings.modelsDir().resolve(MODEL)
                            + " and run the demo again to have the model written anew");
                }
                return 1;
            } else if (event instanceof JobEvent.Rejected rejected) {
                out.println("diffarm demo: job " + plan.jobId() + " was rejected when the worker took it: "
                        + rejected.errors().stream().map(EventError::message).collect(Collectors.joining("; ")));
                return 1;
            }
        }
    }

    private static String taskLine(Plan plan, TaskSpec task, boolean skipped, double seconds) {
        String style = task.style().map(name -> name + ", ").orElse("");
        return String.format("  [%d/%d] %s  %sseed %d: \"%s\"  %s", task.index() + 1, plan.tasks().size(),
                fileName(plan, task.key()), style, task.parameters().seed(), task.parameters().prompt(),
                skipped ? "(already stored)" : String.format("(%.1f s)", seconds));
    }

    /** A key's name within the job's folder. */
    private static String fileName(Plan plan, String key) {
        return key.substring(plan.prefix().length());
    }

    private void printOutputs(Plan plan, List<String> keys, double seconds, PrintStream out) {
        String folder = store.location() + "/" + plan.prefix();
        List<String> images = plan.tasks().stream().map(task -> fileName(plan, task.key())).toList();
        String range = images.size() == 1 ? images.get(0) : images.get(0) + " ... " + images.get(images.size() - 1);
        out.println(String.format("diffarm demo: completed, %d images in %.1f s. In %s", images.size(), seconds,
                folder));
        out.println(String.format("  %-26s the images; each PNG's parameters text and its .json sidecar say how it "
                + "was made", range));
        int pages = JobGallery.pages(images.size());
        String sheets = JobGallery.contactSheet(1) + (pages == 1 ? "" : " ... " + JobGallery.contactSheet(pages));
        if (keys.contains(plan.prefix() + JobGallery.contactSheet(pages))) {
            out.println(String.format("  %-26s all of them on contact sheets of up to %d", sheets, JobGallery.PAGE_SIZE));
        }
        if (keys.contains(plan.prefix() + JobGallery.INDEX)) {
            out.println(String.format("  %-26s the gallery: open it in a browser", JobGallery.INDEX));
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException stopping) {
            // The process is already stopping: the hook runs, cancelling a job that has ended, which does nothing.
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}

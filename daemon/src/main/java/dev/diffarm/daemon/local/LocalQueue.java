package dev.diffarm.daemon.local;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.JobSource;
import dev.diffarm.daemon.port.TakenAhead;
import dev.diffarm.daemon.port.WaitingDelivery;
import dev.diffarm.engine.io.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The embedded job queue: a folder of job files, as a topic of one partition.
 * <pre>
 * &lt;local&gt;/queue/*.json       waiting; taken oldest first (by modification time, then name)
 * &lt;local&gt;/processing/       taken by a worker and not yet settled
 * &lt;local&gt;/done/             settled: the job reached its end (see its events for how)
 * &lt;local&gt;/dlq/              not a job: the file and NAME.reason.txt saying why
 * </pre>
 * A worker takes a file by renaming it atomically from {@code queue/} to {@code processing/}, so two daemons
 * on one folder never take the same file. A new queue moves everything left in {@code processing/} back to
 * {@code queue/}: after a crash, the jobs that were running are delivered again. So only one daemon may run
 * on a folder at a time. Hidden files (writes in progress) and files not ending in {@code .json} are left
 * alone. Drop a job file into {@code queue/} (written elsewhere and moved in) to submit it.
 *
 * <p>A job's tenant is in its file's name, {@code <time>-<sequence>-<job id>@<tenant>.json}, so that it stays with the
 * job through {@code processing/} and a restart (neither ids nor tenant names may hold {@code @}). A file without
 * {@code @} (one a person dropped in) names no tenant: it is {@code local}'s. The folder is the daemon's own: whoever
 * may write there may run jobs as any tenant, as they may read every tenant's outputs of a local store.
 */
public final class LocalQueue implements JobSource {
    private static final Logger LOG = Logger.getLogger(LocalQueue.class);
    private static final Duration SCAN_INTERVAL = Duration.ofMillis(200);
    private static final String SUFFIX = ".json";
    /** Between a job file's id and its tenant: in neither alphabet. */
    private static final char TENANT_MARK = '@';
    /** How many of the oldest waiting files {@link #takeWaiting} looks at: a long queue is not read whole per batch. */
    private static final int LOOK_AHEAD_FILES = 64;

    private final Path queue;
    private final Path processing;
    private final Path done;
    private final Path deadLetters;
    private final Object arrivals = new Object();
    private final AtomicLong sequence = new AtomicLong();
    private final TakenAhead<Delivery> ahead = new TakenAhead<>();

    /** A queue in {@code localDir}, creating its folders, with unsettled jobs of an earlier run back in line. */
    public LocalQueue(Path localDir) {
        this.queue = localDir.resolve("queue");
        this.processing = localDir.resolve("processing");
        this.done = localDir.resolve("done");
        this.deadLetters = localDir.resolve("dlq");
        try {
            for (Path dir : List.of(queue, processing, done, deadLetters)) {
                Files.createDirectories(dir);
            }
            for (Path orphan : jobFiles(processing)) {
                LOG.infof("redelivering %s: it was taken but not settled before the last stop", orphan.getFileName());
                Files.move(orphan, queue.resolve(orphan.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the local queue in " + localDir + ": " + e, e);
        }
    }

    public Path queueDir() {
        return queue;
    }

    public Path processingDir() {
        return processing;
    }

    public Path doneDir() {
        return done;
    }

    public Path deadLetterDir() {
        return deadLetters;
    }

    /** The calling worker's jobs taken ahead first ({@link #takeWaiting}), then the oldest waiting. */
    @Override
    public Optional<Delivery> poll(Duration timeout) throws InterruptedException {
        Optional<Delivery> takenAhead = ahead.next();
        if (takenAhead.isPresent()) {
            return takenAhead;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Delivery> taken = takeOldest();
            long left = deadline - System.nanoTime();
            if (taken.isPresent() || left <= 0) {
                return taken;
            }
            synchronized (arrivals) {
                long waitNanos = Math.min(left, SCAN_INTERVAL.toNanos());
                arrivals.wait(Math.max(1, waitNanos / 1_000_000));
            }
        }
    }

    /**
     * Takes up to {@code max} of the {@value #LOOK_AHEAD_FILES} oldest waiting files that {@code fits} accepts into
     * {@code processing/}, for the calling worker's next polls. A file another daemon took meanwhile is passed over.
     */
    @Override
    public List<Delivery> takeWaiting(Predicate<Delivery> fits, int max) {
        List<Path> waiting;
        try {
            waiting = jobFiles(queue);
        } catch (IOException e) {
            LOG.errorf("cannot list %s: %s", queue, e);
            return List.of();
        }
        List<Delivery> taken = new ArrayList<>();
        for (Path file : waiting.subList(0, Math.min(waiting.size(), LOOK_AHEAD_FILES))) {
            if (taken.size() >= max) {
                break;
            }
            if (fits.test(new WaitingDelivery(new FileDelivery(file)))) {
                claim(file).ifPresent(taken::add);
            }
        }
        ahead.add(taken);
        return List.copyOf(taken);
    }

    @Override
    public void enqueue(String jobId, String json, String tenant) {
        // The sequence keeps jobs submitted within one millisecond in order of submission.
        String name = String.format("%d-%06d-%s%c%s%s", System.currentTimeMillis(), sequence.incrementAndGet() % 1_000_000,
                jobId, TENANT_MARK, tenant, SUFFIX);
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try {
            AtomicFile.write(queue.resolve(name), channel -> {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add job " + jobId + " to " + queue + ": " + e, e);
        }
        synchronized (arrivals) {
            arrivals.notifyAll();
        }
    }

    @Override
    public OptionalLong backlog() {
        try {
            return OptionalLong.of(jobFiles(queue).size());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        synchronized (arrivals) {
            arrivals.notifyAll();
        }
    }

    private Optional<Delivery> takeOldest() {
        List<Path> waiting;
        try {
            waiting = jobFiles(queue);
        } catch (IOException e) {
            LOG.errorf("cannot list %s: %s", queue, e);
            return Optional.empty();
        }
        for (Path file : waiting) {
            Optional<Delivery> claimed = claim(file);
            if (claimed.isPresent()) {
                return claimed;
            }
        }
        return Optional.empty();
    }

    /** Moves a waiting file into {@code processing/}; empty when another daemon (or a person) moved it first. */
    private Optional<Delivery> claim(Path file) {
        Path claimed = processing.resolve(file.getFileName());
        try {
            Files.move(file, claimed, StandardCopyOption.ATOMIC_MOVE);
            return Optional.of(new FileDelivery(claimed));
        } catch (NoSuchFileException | FileAlreadyExistsException takenByAnother) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.errorf("cannot take %s: %s", file, e);
            return Optional.empty();
        }
    }

    /** The job files in {@code dir}, oldest first. */
    private static List<Path> jobFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(LocalQueue::isJobFile)
                    .sorted(Comparator.comparing(LocalQueue::modified).thenComparing(Path::getFileName))
                    .toList();
        }
    }

    private static boolean isJobFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(SUFFIX) && !name.startsWith(".") && Files.isRegularFile(file);
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException vanished) {
            return FileTime.fromMillis(Long.MAX_VALUE);
        }
    }

    /** A file in {@code processing/}, settled by moving it on. */
    private final class FileDelivery implements Delivery {
        private final Path file;

        FileDelivery(Path file) {
            this.file = file;
        }

        @Override
        public byte[] payload() {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e, e);
            }
        }

        @Override
        public long size() {
            try {
                return Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e, e);
            }
        }

        @Override
        public String origin() {
            return "queue/" + file.getFileName();
        }

        /** What follows the last {@code @} of the file's name, if it has one. */
        @Override
        public Optional<String> tenant() {
            String name = file.getFileName().toString();
            int mark = name.lastIndexOf(TENANT_MARK);
            return mark < 0 ? Optional.empty() : Optional.of(name.substring(mark + 1, name.length() - SUFFIX.length()));
        }

        @Override
        public void acknowledge() {
            moveTo(done);
        }

        @Override
        public void deadLetter(String reason) {
            Path reasonFile = deadLetters.resolve(file.getFileName() + ".reason.txt");
            try {
                Files.writeString(reasonFile, reason + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                LOG.errorf("cannot write %s (%s): %s", reasonFile, reason, e);
            }
            moveTo(deadLetters);
        }

        private void moveTo(Path dir) {
            try {
                Files.move(file, dir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot move " + file + " to " + dir + ": " + e, e);
            }
        }
    }
}

package dev.diffarm.daemon.local;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.JobParts;
import dev.diffarm.daemon.port.JobSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * A job source that parks a job which has taken the daemon down {@value #MAX_CRASHES} times, instead of running it
 * again: a job that runs the process out of memory is redelivered after the restart and would kill it again, for
 * ever.
 *
 * <p>How a crash is counted across the crash itself: before a delivery is handed to the worker, a marker file named
 * after its origin (the queue file, or the Kafka partition and offset: both the same on redelivery) is written in
 * {@code <local>/attempts/} with the number of its attempts that began and never ended. Settling the delivery
 * (acknowledged or dead-lettered: the job reached an end with the process alive) deletes the marker; closing the
 * source at a clean shutdown puts back the count the delivery came with, so that a restart is no crash. A marker
 * that holds {@value #MAX_CRASHES} when its delivery comes again means the process died that many times with the
 * job in hand: the delivery goes to the dead-letter place with that reason. The count is this node's: a job moved to
 * another node by a Kafka rebalance starts again there.
 */
public final class CrashGuardedSource implements JobSource {
    private static final Logger LOG = Logger.getLogger(CrashGuardedSource.class);
    /** Attempts that may end with the process before a job is parked. */
    public static final int MAX_CRASHES = 2;

    private final JobSource source;
    private final Path markers;
    /** The markers of deliveries in hand, with the count each had before it was taken. */
    private final Map<Path, Integer> inHand = new ConcurrentHashMap<>();

    /** Guards {@code source}, with its markers in {@code localDir/attempts}. */
    public CrashGuardedSource(JobSource source, Path localDir) {
        this.source = source;
        this.markers = localDir.resolve("attempts");
        try {
            Files.createDirectories(markers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + markers + ": " + e, e);
        }
    }

    @Override
    public Optional<Delivery> poll(Duration timeout) throws InterruptedException {
        return poll(timeout, Set.of());
    }

    @Override
    public Optional<Delivery> poll(Duration timeout, Set<String> loadedModels) throws InterruptedException {
        Optional<Delivery> next = source.poll(timeout, loadedModels);
        if (next.isEmpty()) {
            return next;
        }
        Delivery delivery = next.get();
        Path marker = markers.resolve(sha256(delivery.origin()));
        int crashes = read(marker);
        if (crashes >= MAX_CRASHES) {
            String reason = "the job took the daemon down " + crashes + " times: each of those attempts began and the "
                    + "process ended before the job did (out of memory, killed); parked instead of running it again";
            LOG.errorf("%s: %s", delivery.origin(), reason);
            delivery.deadLetter(reason);
            delete(marker);
            return Optional.empty();
        }
        write(marker, crashes + 1);
        inHand.put(marker, crashes);
        return Optional.of(new Guarded(delivery, marker));
    }

    /** A delivery whose settlement clears its marker. */
    private final class Guarded implements Delivery {
        private final Delivery delivery;
        private final Path marker;

        Guarded(Delivery delivery, Path marker) {
            this.delivery = delivery;
            this.marker = marker;
        }

        @Override
        public byte[] payload() {
            return delivery.payload();
        }

        @Override
        public long size() {
            return delivery.size();
        }

        @Override
        public String origin() {
            return delivery.origin();
        }

        @Override
        public Optional<String> tenant() {
            return delivery.tenant();
        }

        @Override
        public boolean isWithdrawn() {
            return delivery.isWithdrawn();
        }

        @Override
        public boolean isJobPart() {
            return delivery.isJobPart();
        }

        @Override
        public void acknowledge() {
            try {
                delivery.acknowledge();
            } catch (RuntimeException notOurs) {
                // A withdrawn delivery commits nothing, but this attempt ended with the process alive: no crash.
                if (delivery.isWithdrawn()) {
                    settled(marker);
                }
                throw notOurs;
            }
            settled(marker);
        }

        @Override
        public void deadLetter(String reason) {
            delivery.deadLetter(reason);
            settled(marker);
        }
    }

    private void settled(Path marker) {
        inHand.remove(marker);
        delete(marker);
    }

    /** The source's deliveries taken ahead; each is guarded when the worker polls it, like any other. */
    @Override
    public List<Delivery> takeWaiting(Predicate<Delivery> fits, int max) {
        return source.takeWaiting(fits, max);
    }

    @Override
    public void enqueue(String jobId, String json, String tenant) {
        source.enqueue(jobId, json, tenant);
    }

    @Override
    public OptionalLong backlog() {
        return source.backlog();
    }

    @Override
    public Optional<JobParts> parts() {
        return source.parts();
    }

    @Override
    public Optional<String> problem() {
        return source.problem();
    }

    /** A clean shutdown with a job in hand is no crash: its marker gets back the count it had. */
    @Override
    public void close() {
        source.close();
        inHand.forEach((marker, before) -> {
            if (before == 0) {
                delete(marker);
            } else {
                write(marker, before);
            }
        });
        inHand.clear();
    }

    private static int read(Path marker) {
        try {
            return Files.exists(marker) ? Integer.parseInt(Files.readString(marker, StandardCharsets.UTF_8).strip()) : 0;
        } catch (IOException | NumberFormatException e) {
            // A marker cut short by the crash itself: the attempt it was written for counts.
            LOG.warnf("attempt marker %s unreadable (%s): counted as one crash", marker, e);
            return 1;
        }
    }

    /** Written to a temporary file, flushed to the disk and renamed over the marker: a crash leaves the old or the new. */
    private static void write(Path marker, int count) {
        Path temp = marker.resolveSibling(marker.getFileName() + ".tmp");
        try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(Integer.toString(count).getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the attempt marker " + temp + ": " + e, e);
        }
        try {
            Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the attempt marker " + marker + ": " + e, e);
        }
    }

    private static void delete(Path marker) {
        try {
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            LOG.warnf("cannot delete the attempt marker %s: %s", marker, e);
        }
    }

    private static String sha256(String origin) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(origin.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

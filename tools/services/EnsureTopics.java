import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the Kafka topics that are missing and leaves existing ones as they are, so that
 * {@code scripts/services start} can run it on every start.
 *
 * <p>Run with the broker's own jars, e.g.
 * {@code java -cp '.diffarm/services/lib/kafka/*' tools/services/EnsureTopics.java 127.0.0.1:9092 diffarm.jobs:3}.
 * Each topic is {@code name:partitions}, with replication factor 1 (a single local broker). Kafka 4.4.0's
 * {@code kafka-tools} artifact, which holds {@code TopicCommand}, is not on Maven Central; the admin client in
 * {@code kafka-clients} does the same job.
 */
public final class EnsureTopics {
    private static final short REPLICATION_FACTOR = 1;
    private static final long TIMEOUT_SECONDS = 60;

    private EnsureTopics() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: EnsureTopics BOOTSTRAP_SERVERS NAME:PARTITIONS...");
            System.exit(2);
        }
        List<NewTopic> wanted = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            wanted.add(parse(args[i]));
        }
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        try (Admin admin = Admin.create(config)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (NewTopic topic : wanted) {
                if (existing.contains(topic.name())) {
                    System.out.println("topic " + topic.name() + ": exists");
                } else {
                    create(admin, topic);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            System.err.println("cannot create topics on " + args[0] + ": " + cause);
            System.exit(1);
        }
    }

    private static void create(Admin admin, NewTopic topic)
            throws ExecutionException, TimeoutException, InterruptedException {
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            System.out.println("topic " + topic.name() + ": created, " + topic.numPartitions() + " partition(s)");
        } catch (ExecutionException e) {
            // Another start (or an auto-creating client) may have made it since the listing.
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
            System.out.println("topic " + topic.name() + ": exists");
        }
    }

    private static NewTopic parse(String spec) {
        int colon = spec.lastIndexOf(':');
        String name = colon < 0 ? "" : spec.substring(0, colon);
        String partitions = colon < 0 ? "" : spec.substring(colon + 1);
        if (name.isEmpty() || !partitions.matches("[1-9][0-9]{0,3}")) {
            System.err.println("topic '" + spec + "': expected NAME:PARTITIONS with 1 to 9999 partitions");
            System.exit(2);
        }
        return new NewTopic(name, Integer.parseInt(partitions), REPLICATION_FACTOR);
    }
}

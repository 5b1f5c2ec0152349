package dev.diffarm.daemon.local;

import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.farm.config.JobEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jboss.logging.Logger;

/**
 * The embedded events topic: every event appended as one line of JSON to a file ({@code <local>/events.jsonl}),
 * in publication order, so {@code tail -f} follows the farm the way a Kafka consumer would.
 */
public final class EventLog implements EventSink {
    private static final Logger LOG = Logger.getLogger(EventLog.class);
    private final Path file;

    public EventLog(Path file) {
        this.file = file;
    }

    @Override
    public synchronized void publish(JobEvent event) {
        byte[] line = (event.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            LOG.errorf("cannot append a %s event to %s: %s", event.type(), file, e);
        }
    }

    public Path file() {
        return file;
    }
}

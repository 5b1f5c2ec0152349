package dev.diffarm.daemon.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.gallery.JobGallery;
import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.services.LocalServices;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TaskSpec;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs from the local queue rendered by the engine on the tiny model into a bucket of the real S3 server:
 * every output lands under {@code jobs/<id>/}, and a job delivered again renders nothing twice.
 */
class RenderIntoS3Test {
    private static final String CATS_AND_DOGS = "[\"a cat in a hat\", \"a dog on a log\"]";

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    Path local;
    private final List<String> rendered = Collections.synchronizedList(new ArrayList<>());
    private final List<String> written = Collections.synchronizedList(new ArrayList<>());
    private FarmSettings.S3 settings;
    private S3OutputStore store;
    private MinioClient sdk;

    @BeforeEach
    void bucket() {
        FarmSettings.S3 server = LocalServices.get().settings(local).s3().orElseThrow();
        settings = new FarmSettings.S3(server.endpoint(), server.accessKey(), server.secretKey(),
                "render-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000_000);
        store = new S3OutputStore(settings);
        store.check();
        sdk = MinioClient.builder().endpoint(settings.endpoint().toString()).region("us-east-1")
                .credentials(settings.accessKey(), settings.secretKey()).httpClient(new OkHttpClient(), true).build();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        sdk.close();
    }

    /** A farm on the local queue that stores into the test's bucket, rendering with the engine. */
    private LocalFarm farm() {
        return new LocalFarm(local, tiny.models(), local.resolve("loras"), tiny.noting(rendered), noting(store));
    }

    @Test
    void storesEveryOutputInTheBucketAndRendersNothingTwice() throws Exception {
        LocalFarm farm = farm();
        String json = TinyModel.renderJob("cats", CATS_AND_DOGS, "[1, 2]", 2);
        farm.drop("cats.json", json);
        farm.runUntilIdle();

        Plan plan = ((ImageJob) new JobParser().parse(json).orElseThrow()).plan();
        assertEquals(plan.keys(), rendered, "every task rendered once, in plan order");
        List<String> expectedKeys = List.of("jobs/cats/contact-sheet-0001.png", "jobs/cats/index.html",
                "jobs/cats/page-0001.html", "jobs/cats/t0000.json", "jobs/cats/t0000.png", "jobs/cats/t0001.json",
                "jobs/cats/t0001.png", "jobs/cats/t0002.json", "jobs/cats/t0002.png", "jobs/cats/t0003.json",
                "jobs/cats/t0003.png", "jobs/cats/thumbs/t0000.png", "jobs/cats/thumbs/t0001.png",
                "jobs/cats/thumbs/t0002.png", "jobs/cats/thumbs/t0003.png");
        assertEquals(expectedKeys, store.list("jobs/"));
        assertEquals(List.of("jobs/cats/t0000.png", "jobs/cats/thumbs/t0000.png", "jobs/cats/t0000.json",
                "jobs/cats/t0001.png", "jobs/cats/thumbs/t0001.png", "jobs/cats/t0001.json",
                "jobs/cats/t0002.png", "jobs/cats/thumbs/t0002.png", "jobs/cats/t0002.json",
                "jobs/cats/t0003.png", "jobs/cats/thumbs/t0003.png", "jobs/cats/t0003.json",
                "jobs/cats/contact-sheet-0001.png", "jobs/cats/page-0001.html", "jobs/cats/index.html"), written,
                "each image and its thumbnail before its sidecar");
        String modelHash = ModelHash.shortHash(TinyModel.source());
        for (TaskSpec task : plan.tasks()) {
            Path png = Files.write(local.resolve(task.id() + ".png"), farm.object(task.key()));
            assertEquals(Optional.of(task.parameters().prompt() + "\nSteps: 2, Sampler: Euler a, CFG scale: 7, Seed: "
                    + task.parameters().seed() + ", Size: 32x32, Model hash: " + modelHash + ", Model: tiny"),
                    PngReader.readParameters(png), task.key());
            assertEquals(task.sidecarJson(), new String(farm.object(task.sidecarKey()), StandardCharsets.UTF_8));
        }
        BufferedImage sheet = ImageIO.read(new ByteArrayInputStream(farm.object("jobs/cats/contact-sheet-0001.png")));
        assertNotNull(sheet, "the contact sheet is a PNG");
        String page = new String(farm.object("jobs/cats/page-0001.html"), StandardCharsets.UTF_8);
        for (TaskSpec task : plan.tasks()) {
            assertTrue(page.contains("<img src=\"thumbs/" + task.id() + ".png\""), page);
        }
        assertEquals("image/png", stat("jobs/cats/t0000.png").contentType());
        assertEquals("application/json", stat("jobs/cats/t0000.json").contentType());
        // The SDK sends the media type as OkHttp writes it, without the space.
        assertEquals("text/html;charset=utf-8", stat("jobs/cats/index.html").contentType());

        rendered.clear();
        written.clear();
        farm.events.clear();
        farm.drop("cats-again.json", json);
        farm.runUntilIdle();

        assertEquals(List.of(), rendered, "delivered again: nothing rendered");
        List<Boolean> skipped = farm.events.of("cats").stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(event -> ((JobEvent.TaskCompleted) event).skipped()).toList();
        assertEquals(List.of(true, true, true, true), skipped);
        assertEquals("completed", farm.events.milestones("cats").get(5));
        assertEquals(4.0, farm.meters.get("diffarm.tasks").tag("outcome", "skipped").counter().count());
        assertEquals(expectedKeys, store.list("jobs/"), "no object added");
        assertEquals(List.of("jobs/cats/contact-sheet-0001.png", "jobs/cats/page-0001.html", "jobs/cats/index.html"), written,
                "no task's image or sidecar written again; the overview is");
    }

    @Test
    void aJobDeliveredAgainAfterAnInterruptionRendersOnlyWhatIsMissing() throws Exception {
        LocalFarm farm = farm();
        // What a daemon that died mid-job left: the first half of the plan (same id, prompt and seeds).
        farm.drop("half.json", TinyModel.renderJob("resume", "[\"a cat in a hat\"]", "[1, 2]", 2));
        farm.runUntilIdle();
        rendered.clear();

        farm.drop("resume.json", TinyModel.renderJob("resume", CATS_AND_DOGS, "[1, 2]", 2));
        farm.runUntilIdle();

        assertEquals(List.of("jobs/resume/t0002.png", "jobs/resume/t0003.png"), rendered, "only the missing tasks");
        assertEquals(List.of("jobs/resume/contact-sheet-0001.png", "jobs/resume/index.html",
                "jobs/resume/page-0001.html", "jobs/resume/t0000.json", "jobs/resume/t0000.png", "jobs/resume/t0001.json",
                "jobs/resume/t0001.png", "jobs/resume/t0002.json", "jobs/resume/t0002.png", "jobs/resume/t0003.json",
                "jobs/resume/t0003.png", "jobs/resume/thumbs/t0000.png", "jobs/resume/thumbs/t0001.png",
                "jobs/resume/thumbs/t0002.png", "jobs/resume/thumbs/t0003.png"), store.list("jobs/resume/"));
    }

    private StatObjectResponse stat(String key) throws Exception {
        return sdk.statObject(StatObjectArgs.builder().bucket(settings.bucket()).object(key).build());
    }

    /** The store under test, noting the key of every put. */
    private OutputStore noting(OutputStore store) {
        return new OutputStore() {
            @Override
            public void check() {
                store.check();
            }

            @Override
            public boolean exists(String key) {
                return store.exists(key);
            }

            @Override
            public Optional<InputStream> open(String key) {
                return store.open(key);
            }

            @Override
            public void put(String key, InputStream content, long length, ObjectMetadata metadata) {
                written.add(key);
                store.put(key, content, length, metadata);
            }

            @Override
            public List<String> list(String prefix) {
                return store.list(prefix);
            }

            @Override
            public String location() {
                return store.location();
            }
        };
    }
}

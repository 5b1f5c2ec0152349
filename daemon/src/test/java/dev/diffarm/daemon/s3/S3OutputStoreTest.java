package dev.diffarm.daemon.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.daemon.services.LocalServices;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.farm.config.FarmSettings;
import io.minio.AbortMultipartUploadArgs;
import io.minio.BucketExistsArgs;
import io.minio.CreateMultipartUploadArgs;
import io.minio.ListMultipartUploadsArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.messages.ListMultipartUploadsResult.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.SequenceInputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 store against the real S3 server of scripts/services, each test in a bucket of its own. */
class S3OutputStoreTest {
    /** The smallest part S3 takes, so that a test object of tens of megabytes is a multipart upload. */
    private static final long PART = 5L << 20;
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir
    Path home;
    private FarmSettings.S3 server;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void server() {
        server = LocalServices.get().settings(home).s3().orElseThrow();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    /** Settings for a bucket that no other test uses. */
    private FarmSettings.S3 freshBucket() {
        return new FarmSettings.S3(server.endpoint(), server.accessKey(), server.secretKey(),
                "test-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000 + "-"
                        + BUCKETS.incrementAndGet());
    }

    private S3OutputStore store(FarmSettings.S3 settings) {
        return store(settings, S3OutputStore.LIST_PAGE, S3OutputStore.PART_SIZE);
    }

    private S3OutputStore store(FarmSettings.S3 settings, int listPage, long partSize) {
        S3OutputStore store = new S3OutputStore(settings, listPage, partSize);
        toClose.add(store);
        return store;
    }

    /** A client of the SDK's own, to look at the bucket apart from the store under test. */
    private MinioClient sdk(FarmSettings.S3 settings) {
        MinioClient client = MinioClient.builder().endpoint(settings.endpoint().toString()).region("us-east-1")
                .credentials(settings.accessKey(), settings.secretKey()).httpClient(new OkHttpClient(), true).build();
        toClose.add(client);
        return client;
    }

    @Test
    void storesObjectsUnderTheirKeys() throws Exception {
        FarmSettings.S3 settings = freshBucket();
        S3OutputStore store = store(settings);
        store.check();
        assertFalse(store.exists("jobs/a/t0000.png"));
        assertTrue(store.get("jobs/a/t0000.png").isEmpty());
        assertEquals(List.of(), store.list("jobs/a/"));

        store.put("jobs/a/t0000.png", new byte[] {1, 2, 3}, "image/png");
        store.put("jobs/a/t0000.json", new byte[] {4}, "application/json");
        store.put("jobs/ab/t0000.png", new byte[] {5}, "image/png");
        store.put("jobs/a/t0000.png", new byte[] {6}, "image/png");
        store.put("jobs/a/empty.txt", new byte[0], "text/plain");

        assertTrue(store.exists("jobs/a/t0000.png"));
        assertArrayEquals(new byte[] {6}, store.get("jobs/a/t0000.png").orElseThrow(), "replaced");
        assertArrayEquals(new byte[0], store.get("jobs/a/empty.txt").orElseThrow());
        assertEquals(List.of("jobs/a/empty.txt", "jobs/a/t0000.json", "jobs/a/t0000.png"), store.list("jobs/a/"));
        assertEquals(List.of("jobs/a/empty.txt", "jobs/a/t0000.json", "jobs/a/t0000.png", "jobs/ab/t0000.png"),
                store.list("jobs/a"));
        assertEquals(List.of("jobs/a/empty.txt", "jobs/a/t0000.json", "jobs/a/t0000.png", "jobs/ab/t0000.png"),
                store.list(""));
        assertEquals(List.of(), store.list("jobs/zzz/"));
        assertTrue(store.get("jobs/a/t0001.png").isEmpty());
        assertFalse(store.exists("jobs/a"), "a prefix is no object");

        MinioClient sdk = sdk(settings);
        assertEquals("image/png", sdk.statObject(StatObjectArgs.builder().bucket(settings.bucket())
                .object("jobs/a/t0000.png").build()).contentType());
        assertEquals("application/json", sdk.statObject(StatObjectArgs.builder().bucket(settings.bucket())
                .object("jobs/a/t0000.json").build()).contentType());
    }

    @Test
    void aMultipartObjectRoundTripsStreamedByteForByteWithItsSha256() throws Exception {
        FarmSettings.S3 settings = freshBucket();
        S3OutputStore store = store(settings, S3OutputStore.LIST_PAGE, PART);
        store.check();
        long length = 40_000_000;
        GeneratedContent content = new GeneratedContent(length, 11);
        // The digest must be known before the upload starts, as S3 takes metadata with the first request.
        String sha256 = GeneratedContent.sha256Of(new GeneratedContent(length, 11));
        store.put("models/big.safetensors", content, length, ObjectMetadata.withSha256("application/octet-stream", sha256));
        assertEquals(sha256, content.sha256(), "the store read the content exactly to its end");

        try (InputStream read = store.open("models/big.safetensors").orElseThrow()) {
            assertEquals(sha256, GeneratedContent.sha256Of(read));
        }
        StatObjectResponse stat = sdk(settings).statObject(StatObjectArgs.builder().bucket(settings.bucket())
                .object("models/big.safetensors").build());
        assertEquals(length, stat.size());
        assertEquals("application/octet-stream", stat.contentType());
        assertEquals(sha256, stat.userMetadata().getFirst(ObjectMetadata.SHA256_METADATA));
        assertEquals(Optional.of(sha256), store.recordedSha256("models/big.safetensors"), "what a fetch verifies against");
        store.put("models/plain.bin", new byte[] {1}, "application/octet-stream");
        assertEquals(Optional.empty(), store.recordedSha256("models/plain.bin"), "none recorded");
        assertEquals(Optional.empty(), store.recordedSha256("models/absent.safetensors"));
        // S3 names a multipart object's ETag by its part count: 40 MB in parts of 5 MiB are 8 parts.
        System.out.println("40 MB object in 5 MiB parts: ETag " + stat.etag());
        assertTrue(stat.etag().endsWith("-8"), stat.etag());

        Path copy = home.resolve("copy.safetensors");
        assertTrue(store.download("models/big.safetensors", copy));
        assertEquals(ModelHash.sha256(copy), sha256);
        assertTrue(store.open("models/absent.safetensors").isEmpty());
        assertFalse(store.download("models/absent.safetensors", home.resolve("absent")));
    }

    @Test
    void aMultipartUploadThatFailsHalfwayLeavesNoObjectAndNoParts() throws Exception {
        FarmSettings.S3 settings = freshBucket();
        S3OutputStore store = store(settings, S3OutputStore.LIST_PAGE, PART);
        store.check();
        store.put("models/m.safetensors", new byte[] {7, 7}, "application/octet-stream");
        long length = 30_000_000;
        // Two parts and a half, then the source fails, as a disk that goes away under a merge would.
        InputStream failing = new SequenceInputStream(new GeneratedContent(2 * PART + PART / 2, 5), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("source gone");
            }
        });

        StoreException failed = assertThrows(StoreException.class, () -> store.put("models/m.safetensors", failing,
                length, ObjectMetadata.of("application/octet-stream")));
        assertTrue(failed.getMessage().startsWith("cannot write models/m.safetensors in bucket " + settings.bucket()
                + " at " + settings.endpoint() + ": "), failed.getMessage());
        StoreException shortContent = assertThrows(StoreException.class, () -> store.put("models/n.safetensors",
                new GeneratedContent(length - 1, 5), length, ObjectMetadata.of("application/octet-stream")));
        System.out.println("failed halfway: " + failed.getMessage() + "\nended early: " + shortContent.getMessage());

        assertArrayEquals(new byte[] {7, 7}, store.get("models/m.safetensors").orElseThrow(), "the old object stays");
        assertFalse(store.exists("models/n.safetensors"));
        assertEquals(List.of("models/m.safetensors"), store.list(""));
        try (MinioAsyncClient async = MinioAsyncClient.builder().endpoint(settings.endpoint().toString())
                .region("us-east-1").credentials(settings.accessKey(), settings.secretKey())
                .httpClient(new OkHttpClient(), true).build()) {
            ListMultipartUploadsArgs uploads = ListMultipartUploadsArgs.builder().bucket(settings.bucket()).build();
            assertEquals(List.of(), async.listMultipartUploads(uploads).get().result().uploads(), "the uploads were aborted");
            // The server does list an upload left open, so the empty list above says something.
            String open = async.createMultipartUpload(CreateMultipartUploadArgs.builder().bucket(settings.bucket())
                    .object("models/left-open").build()).get().result().uploadId();
            assertEquals(List.of("models/left-open"), async.listMultipartUploads(uploads).get().result().uploads()
                    .stream().map(Upload::objectName).toList());
            async.abortMultipartUpload(AbortMultipartUploadArgs.builder().bucket(settings.bucket())
                    .object("models/left-open").uploadId(open).build()).get();
        }
    }

    @Test
    void listsPastOnePage() {
        S3OutputStore store = store(freshBucket(), 2, S3OutputStore.PART_SIZE);
        store.check();
        List<String> keys = new ArrayList<>();
        for (int i = 6; i >= 0; i--) {
            String key = "jobs/many/t%04d.png".formatted(i);
            store.put(key, new byte[] {(byte) i}, "image/png");
            keys.add(0, key);
        }
        store.put("jobs/other/t0000.png", new byte[] {1}, "image/png");
        assertEquals(keys, store.list("jobs/many/"), "7 keys in pages of 2");
    }

    @Test
    void checkCreatesAnAbsentBucketOnceWhicheverStoreComesFirst() throws Exception {
        FarmSettings.S3 settings = freshBucket();
        MinioClient sdk = sdk(settings);
        assertFalse(sdk.bucketExists(BucketExistsArgs.builder().bucket(settings.bucket()).build()));
        S3OutputStore store = store(settings);
        StoreException noBucket = assertThrows(StoreException.class,
                () -> store.put("jobs/a/t0000.png", new byte[] {1}, "image/png"));
        assertTrue(noBucket.getMessage().startsWith("cannot write jobs/a/t0000.png in bucket " + settings.bucket()
                + " at " + settings.endpoint() + ": NoSuchBucket (HTTP 404)"), noBucket.getMessage());

        // Four daemons starting at once over the same new bucket: each check passes, whoever created it.
        int daemons = 4;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(daemons);
        try {
            List<Future<?>> checks = new ArrayList<>();
            for (int i = 0; i < daemons; i++) {
                S3OutputStore daemon = store(settings);
                checks.add(threads.submit(() -> {
                    start.await();
                    daemon.check();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> check : checks) {
                check.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertTrue(sdk.bucketExists(BucketExistsArgs.builder().bucket(settings.bucket()).build()));
        store.check();
        store.put("jobs/a/t0000.png", new byte[] {1}, "image/png");
        assertEquals(List.of("jobs/a/t0000.png"), store.list("jobs/"));
    }

    @Test
    void refusedCredentialsAreNamedAndTheSecretIsNot() {
        String secret = "not-the-secret-3f9c1a";
        FarmSettings.S3 wrong = new FarmSettings.S3(server.endpoint(), server.accessKey(), secret, server.bucket());
        S3OutputStore store = store(wrong);

        StoreException check = assertThrows(StoreException.class, store::check);
        assertEquals("cannot check bucket " + server.bucket() + " at " + server.endpoint()
                + ": AccessDenied (HTTP 403): Access denied; the server refuses the credentials or their rights: check "
                + "DIFFARM_S3_ACCESS_KEY and DIFFARM_S3_SECRET_KEY", check.getMessage());
        StoreException read = assertThrows(StoreException.class, () -> store.get("jobs/a/t0000.png"));
        assertTrue(read.getMessage().startsWith("cannot read jobs/a/t0000.png in bucket " + server.bucket() + " at "
                + server.endpoint() + ": SignatureDoesNotMatch (HTTP 403): "), read.getMessage());
        assertTrue(read.getMessage().endsWith("check DIFFARM_S3_ACCESS_KEY and DIFFARM_S3_SECRET_KEY"), read.getMessage());

        for (StoreException e : List.of(check, read)) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            assertFalse(trace.toString().contains(secret), "the secret in:\n" + trace);
        }
    }

    @Test
    void anEndpointWithNothingListeningIsReportedAsSuch() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port);
        S3OutputStore store = store(new FarmSettings.S3(nowhere, server.accessKey(), server.secretKey(), "diffarm"));

        StoreException check = assertThrows(StoreException.class, store::check);
        assertTrue(check.getMessage().startsWith("cannot check bucket diffarm at " + nowhere
                + ": cannot connect ("), check.getMessage());
        assertTrue(check.getMessage().endsWith("); is an S3 server listening there?"), check.getMessage());
        StoreException exists = assertThrows(StoreException.class, () -> store.exists("jobs/a/t0000.png"));
        assertTrue(exists.getMessage().startsWith("cannot look up jobs/a/t0000.png in bucket diffarm at " + nowhere
                + ": cannot connect ("), exists.getMessage());
        StoreException list = assertThrows(StoreException.class, () -> store.list("jobs/a/"));
        assertTrue(list.getMessage().startsWith("cannot list jobs/a/* in bucket diffarm at " + nowhere
                + ": cannot connect ("), list.getMessage());
        assertEquals(nowhere + "/diffarm", store.location());
    }

    @Test
    void refusesKeysThatAreNoRelativePath() {
        S3OutputStore store = store(server);
        for (String key : List.of("../escape.png", "/jobs/a.png", "jobs/../a.png", "jobs//a.png", "jobs/a/", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.put(key, new byte[0], "image/png"), key);
            assertEquals("object key \"" + key + "\": expected a relative path inside the store", e.getMessage());
        }
    }
}

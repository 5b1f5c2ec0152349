package dev.diffarm.daemon.s3;

import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.farm.config.FarmSettings;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.MinioException;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.jboss.logging.Logger;

/**
 * The farm's store: each object lies in an S3 bucket (MinIO, AWS S3, any S3-compatible server) under its key,
 * addressed path-style as {@code <endpoint>/<bucket>/<key>}, the same keys as the local folder. Objects stream
 * in and out: a put of up to {@link #PART_SIZE} bytes is one PUT request, a larger one a multipart upload;
 * S3 makes either visible whole or not at all.
 *
 * <p>{@link #check()} creates the bucket if absent; the other methods expect it to exist. Requests are
 * signed for {@link S3Transport#region()} ({@value #REGION} by default, which S3-compatible servers accept). Failures are {@link StoreException}s whose
 * message names the key, the bucket, the endpoint and the S3 error code; never the secret key.
 */
public final class S3OutputStore implements OutputStore {
    static final String REGION = S3Transport.DEFAULT_REGION;
    /** A store that does not answer a connection attempt within this is down. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest pause within one request or response: a contact sheet of megabytes still fits. */
    static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(60);
    /** Keys per list request, S3's maximum; a longer listing takes more requests. */
    static final int LIST_PAGE = 1000;
    /**
     * Objects larger than this go up in parts of this size, each held on the heap while it is sent: 16 MiB keeps a
     * daemon's heap small with a few uploads at once, and S3's 10,000 parts still reach 160 GiB.
     */
    static final long PART_SIZE = 16L << 20;
    private static final Logger LOG = Logger.getLogger(S3OutputStore.class);

    private final MinioClient client;
    private final URI endpoint;
    private final String bucket;
    private final int listPage;
    private final long partSize;

    /** A store over {@code settings}; no request is sent until it is used. */
    public S3OutputStore(FarmSettings.S3 settings) {
        this(settings, S3Transport.DEFAULTS);
    }

    /** A store over {@code settings}, signing for the region and trusting the CA {@code transport} names. */
    public S3OutputStore(FarmSettings.S3 settings, S3Transport transport) {
        this(settings, transport, LIST_PAGE, PART_SIZE);
    }

    /**
     * As {@link #S3OutputStore(FarmSettings.S3)}, listing {@code listPage} keys per request and uploading objects
     * larger than {@code partSize} bytes in parts of that size (S3 takes 5 MiB to 5 GiB).
     */
    S3OutputStore(FarmSettings.S3 settings, int listPage, long partSize) {
        this(settings, S3Transport.DEFAULTS, listPage, partSize);
    }

    private S3OutputStore(FarmSettings.S3 settings, S3Transport transport, int listPage, long partSize) {
        this.endpoint = settings.endpoint();
        this.bucket = settings.bucket();
        this.listPage = listPage;
        this.partSize = partSize;
        this.client = MinioClient.builder()
                .endpoint(settings.endpoint().toString())
                .region(transport.region())
                .credentials(settings.accessKey(), settings.secretKey())
                .httpClient(httpClient(settings.endpoint(), transport), true)
                .build();
        // MinIO chooses virtual-host style for AWS hosts; one addressing for every server keeps keys and logs alike.
        client.disableVirtualStyleEndpoint();
    }

    /**
     * The SDK's default client with the timeouts above. The SDK's own default reads every certificate of
     * SSL_CERT_FILE and SSL_CERT_DIR (seconds, where those name the system's hundreds); only TLS needs them.
     */
    private static OkHttpClient httpClient(URI endpoint, S3Transport transport) {
        OkHttpClient client = new OkHttpClient.Builder()
                .connectTimeout(CONNECT_TIMEOUT)
                .writeTimeout(TRANSFER_TIMEOUT)
                .readTimeout(TRANSFER_TIMEOUT)
                .protocols(List.of(Protocol.HTTP_1_1))
                .addInterceptor(new Http.StatusRetryInterceptor())
                .build();
        if (!"https".equals(endpoint.getScheme())) {
            return client;
        }
        Optional<S3Transport.Trust> trust = transport.trust();
        if (trust.isPresent()) {
            return client.newBuilder().sslSocketFactory(trust.get().context().getSocketFactory(), trust.get().manager())
                    .build();
        }
        try {
            return Http.enableExternalCertificatesFromEnv(client);
        } catch (MinioException e) {
            throw new StoreException("cannot read the certificates of SSL_CERT_FILE or SSL_CERT_DIR for " + endpoint
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the bucket if it does not exist (one created meanwhile by another daemon is fine), and so proves
     * that the endpoint answers and accepts the credentials.
     */
    @Override
    public void check() {
        boolean exists = request("check", null,
                () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
        if (exists) {
            return;
        }
        try {
            client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            LOG.infof("created bucket %s at %s", bucket, endpoint);
        } catch (MinioException | IllegalStateException e) {
            if (!S3Failure.code(e).filter(S3Failure.BUCKET_ALREADY_OWNED_BY_YOU::equals).isPresent()) {
                throw failure("create", null, e);
            }
        }
    }

    @Override
    public boolean exists(String key) {
        checkKey(key);
        try {
            client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
            return true;
        } catch (MinioException | IllegalStateException e) {
            if (S3Failure.isNoSuchKey(e)) {
                return false;
            }
            throw failure("look up", key, e);
        }
    }

    /** The {@value ObjectMetadata#SHA256_METADATA} user metadata, when it holds a SHA-256. */
    @Override
    public Optional<String> recordedSha256(String key) {
        checkKey(key);
        try {
            String digest = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build())
                    .userMetadata().getFirst(ObjectMetadata.SHA256_METADATA);
            return Optional.ofNullable(digest).map(String::strip).map(text -> text.toLowerCase(java.util.Locale.ROOT))
                    .filter(text -> text.matches("[0-9a-f]{64}"));
        } catch (MinioException | IllegalStateException e) {
            if (S3Failure.isNoSuchKey(e)) {
                return Optional.empty();
            }
            throw failure("look up", key, e);
        }
    }

    /** The object's response body, read from the connection as the caller reads it. */
    @Override
    public Optional<InputStream> open(String key) {
        checkKey(key);
        try {
            return Optional.of(client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
        } catch (MinioException | IllegalStateException e) {
            if (S3Failure.isNoSuchKey(e)) {
                return Optional.empty();
            }
            throw failure("read", key, e);
        }
    }

    /**
     * One PUT for up to one part, else a multipart upload of parts of {@link #partSize} bytes, read from
     * {@code content} one part at a time (the SDK holds one part on the heap). S3 makes a multipart object visible
     * only when the upload completes; when a part fails, the SDK aborts the upload, so no object and no stored
     * parts remain. The SHA-256, when given, goes along as user metadata.
     */
    @Override
    public void put(String key, InputStream content, long length, ObjectMetadata metadata) {
        checkKey(key);
        if (length < 0) {
            throw new IllegalArgumentException("length of " + key + " = " + length + ": expected 0 or more bytes");
        }
        Map<String, String> userMetadata = metadata.sha256()
                .map(digest -> Map.of(ObjectMetadata.SHA256_METADATA, digest)).orElse(Map.of());
        request("write", key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(content, length, partSize).contentType(metadata.contentType()).userMetadata(userMetadata)
                .build()));
    }

    @Override
    public List<String> list(String prefix) {
        return request("list", prefix + "*", () -> {
            List<String> keys = new ArrayList<>();
            Iterable<Result<Item>> items = client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).maxKeys(listPage).build());
            for (Result<Item> item : items) {
                keys.add(item.get().objectName());
            }
            // S3 lists in UTF-8 byte order; the port promises String order, the same for the keys the farm writes.
            Collections.sort(keys);
            return List.copyOf(keys);
        });
    }

    /** {@code <endpoint>/<bucket>}. */
    @Override
    public String location() {
        return endpoint.toString().replaceAll("/+$", "") + "/" + bucket;
    }

    /** Stops the HTTP client's threads, which would otherwise keep the JVM alive for a minute. */
    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            LOG.warnf("closing the S3 client of %s: %s", location(), e);
        }
    }

    /** The same keys as the local folder's: relative paths without {@code .} or {@code ..} steps. */
    private static void checkKey(String key) {
        if (key.isEmpty() || key.startsWith("/") || List.of(key.split("/", -1)).stream()
                .anyMatch(step -> step.isEmpty() || step.equals(".") || step.equals(".."))) {
            throw new IllegalArgumentException("object key \"" + key + "\": expected a relative path inside the store");
        }
    }

    @FunctionalInterface
    private interface Request<T> {
        T send() throws MinioException, IOException;
    }

    private <T> T request(String action, String key, Request<T> request) {
        try {
            return request.send();
        } catch (MinioException | IOException | IllegalStateException e) {
            throw failure(action, key, e);
        }
    }

    /**
     * "cannot read jobs/a/t0000.png in bucket diffarm at http://127.0.0.1:9000: NoSuchBucket (HTTP 404): ...".
     * The SDK reports a failed connection as an IllegalStateException around the IOException: caught too, so
     * that a store that went away fails the job with a StoreException like any other store failure.
     */
    private StoreException failure(String action, String key, Exception e) {
        String what = key == null ? action + " bucket " : action + " " + key + " in bucket ";
        return new StoreException("cannot " + what + bucket + " at " + endpoint + ": " + S3Failure.describe(e), e);
    }
}

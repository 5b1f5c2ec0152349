package dev.diffarm.daemon.s3;

import dev.diffarm.farm.config.FarmSettings;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;

/**
 * What went wrong in a request of the MinIO SDK, in words for a log line or an event: the S3 error code and
 * HTTP status, or the transport failure, with a hint where the cause is usually the configuration. Built from
 * the server's answer and the exception's type only, never from the request, so no credential can appear.
 */
final class S3Failure {
    static final String NO_SUCH_KEY = "NoSuchKey";
    static final String BUCKET_ALREADY_OWNED_BY_YOU = "BucketAlreadyOwnedByYou";
    private static final Set<String> REFUSED_CREDENTIALS = Set.of("AccessDenied", "InvalidAccessKeyId",
            "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken");

    private S3Failure() {
    }

    /** The S3 error code of {@code e}, when the server answered with one. */
    static Optional<String> code(Exception e) {
        return e instanceof ErrorResponseException response
                ? Optional.ofNullable(response.errorResponse().code())
                : Optional.empty();
    }

    /** Whether the server said that the object does not exist (and the bucket does). */
    static boolean isNoSuchKey(Exception e) {
        return code(e).filter(NO_SUCH_KEY::equals).isPresent();
    }

    static String describe(Exception e) {
        if (e instanceof ErrorResponseException response) {
            String code = response.errorResponse().code();
            String message = String.valueOf(response.errorResponse().message()).replaceAll("\\.$", "");
            return code + " (HTTP " + response.response().code() + "): " + message + hint(code);
        }
        if (e instanceof ServerException server) {
            return "the server answered HTTP " + server.statusCode() + " (" + server.getMessage() + ")";
        }
        if (e instanceof InvalidResponseException) {
            return "the endpoint does not answer like an S3 server (" + e.getMessage() + ")";
        }
        Throwable cause = e instanceof IllegalStateException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ConnectException) {
            return "cannot connect (" + cause.getMessage() + "); is an S3 server listening there?";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host (" + cause.getMessage() + ")";
        }
        if (cause instanceof SocketTimeoutException) {
            return "no answer in time (" + cause.getMessage() + ")";
        }
        if (cause instanceof IOException) {
            return "the connection failed (" + cause + ")";
        }
        return cause.toString();
    }

    private static String hint(String code) {
        if (REFUSED_CREDENTIALS.contains(code)) {
            return "; the server refuses the credentials or their rights: check " + FarmSettings.S3_ACCESS_KEY
                    + " and " + FarmSettings.S3_SECRET_KEY;
        }
        if ("NoSuchBucket".equals(code)) {
            return "; the bucket is created when the daemon starts or its store check runs";
        }
        if ("BucketAlreadyExists".equals(code)) {
            return "; the name belongs to another account: choose another " + FarmSettings.S3_BUCKET;
        }
        return "";
    }
}

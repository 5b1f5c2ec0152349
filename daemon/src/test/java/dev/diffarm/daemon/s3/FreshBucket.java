package dev.diffarm.daemon.s3;

import dev.diffarm.daemon.services.LocalServices;
import dev.diffarm.farm.config.FarmSettings;
import java.nio.file.Path;

/** A store on a bucket of its own on the tests' real S3 server: tests sharing the server see nothing of another's. */
final class FreshBucket {
    private FreshBucket() {
    }

    /** A checked store on a new bucket named {@code prefix-<pid>-<n>}; the caller closes it. */
    static S3OutputStore open(Path dir, String prefix) {
        FarmSettings.S3 server = LocalServices.get().settings(dir).s3().orElseThrow();
        S3OutputStore store = new S3OutputStore(new FarmSettings.S3(server.endpoint(), server.accessKey(),
                server.secretKey(), prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 1_000_000_000));
        store.check();
        return store;
    }
}

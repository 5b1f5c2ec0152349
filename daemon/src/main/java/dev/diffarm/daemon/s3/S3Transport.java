package dev.diffarm.daemon.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How the daemon reaches its S3 store besides endpoint and credentials: the region its requests are signed for
 * ({@value #REGION_SETTING}; AWS checks it, MinIO and most others take the default) and, for an {@code https} endpoint
 * whose certificate a private CA signed, that CA ({@value #CA_SETTING}, PEM; without it, the JVM's trusted CAs).
 *
 * @param region the signing region
 * @param caFile the PEM certificates to trust instead of the JVM's, if any
 */
public record S3Transport(String region, Optional<Path> caFile) {
    public static final String REGION_SETTING = "DIFFARM_S3_REGION";
    public static final String CA_SETTING = "DIFFARM_S3_CA_FILE";
    public static final String DEFAULT_REGION = "us-east-1";
    /** Before {@link #DEFAULTS}, which the constructor checks with it. */
    private static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** The default: region {@value #DEFAULT_REGION}, the JVM's trusted CAs. */
    public static final S3Transport DEFAULTS = new S3Transport(DEFAULT_REGION, Optional.empty());

    public S3Transport {
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException(REGION_SETTING + " = " + region
                    + ": expected a region name such as us-east-1 or eu-central-1");
        }
        caFile.ifPresent(file -> {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException(CA_SETTING + " = " + file + ": no readable file");
            }
        });
    }

    /** A trust manager for {@link #caFile()}'s certificates, with its TLS context; empty without a CA file. */
    Optional<Trust> trust() {
        if (caFile.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream pem = Files.newInputStream(caFile.get())) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(pem);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(CA_SETTING + " = " + caFile.get() + ": no certificate in it; expected PEM");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            X509TrustManager manager = null;
            for (TrustManager candidate : factory.getTrustManagers()) {
                if (candidate instanceof X509TrustManager x509) {
                    manager = x509;
                }
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {manager}, null);
            return Optional.of(new Trust(context, manager));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(CA_SETTING + " = " + caFile.get() + ": not PEM certificates ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** A TLS context trusting the CA file's certificates only. */
    record Trust(SSLContext context, X509TrustManager manager) {
    }
}

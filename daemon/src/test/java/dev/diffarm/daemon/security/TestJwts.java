package dev.diffarm.daemon.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/** Signs JWTs for tests with key pairs made in the test: no token or key comes from outside. */
public final class TestJwts {
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private TestJwts() {
    }

    public static KeyPair rsa() {
        return pair("RSA", 2048);
    }

    public static KeyPair pair(String algorithm, int size) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (size > 0) {
                generator.initialize(size);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PEM text of a public key, as a key file holds it. */
    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** A compact JWS of {@code claims} (JSON) with header {@code {"alg": alg, "typ": "JWT"}}. */
    public static String sign(PrivateKey key, String alg, String javaAlgorithm, String claims) {
        return signWithHeader(key, "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", javaAlgorithm, claims);
    }

    public static String rs256(PrivateKey key, String claims) {
        return sign(key, "RS256", "SHA256withRSA", claims);
    }

    public static String signWithHeader(PrivateKey key, String header, String javaAlgorithm, String claims) {
        String input = encode(header) + "." + encode(claims);
        try {
            Signature signature = Signature.getInstance(javaAlgorithm);
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token: {@code alg: none}, empty signature. */
    public static String unsigned(String claims) {
        return encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + encode(claims) + ".";
    }

    public static String encode(String json) {
        return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Claims of issuer {@code iss}, tenant {@code tenant}, {@code groups}, expiring at {@code exp} (epoch seconds). */
    public static String claims(String iss, String aud, String tenant, long exp, String... groups) {
        StringBuilder list = new StringBuilder();
        for (String group : groups) {
            list.append(list.isEmpty() ? "" : ",").append('"').append(group).append('"');
        }
        return "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"sub\":\"someone\",\"tenant\":\"" + tenant
                + "\",\"groups\":[" + list + "],\"exp\":" + exp + "}";
    }
}

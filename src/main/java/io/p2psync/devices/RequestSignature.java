package io.p2psync.devices;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The signature a device puts on every {@code /sync/**} request, carried in four headers.
 *
 * <p>The signed bytes are the UTF-8 encoding of these lines joined by {@code \n}, with no trailing newline:
 * <pre>
 * p2p-sync-request-v1
 * METHOD                 (upper case, e.g. POST)
 * path?query             (as sent, e.g. /sync/pull or /sync/now?peer=12D3KooW…)
 * caller device id       (the X-P2PSync-Device header)
 * audience device id     (the device id of the server being called)
 * timestamp              (the X-P2PSync-Timestamp header: Unix time in milliseconds, decimal)
 * nonce                  (the X-P2PSync-Nonce header)
 * sha-256 of the body    (lower-case hex of the body bytes exactly as sent, after any Content-Encoding)
 * </pre>
 * The signature is Ed25519 with the caller's key, whose public key is inlined in its device id, sent in
 * base64 (standard alphabet, padded). The audience line keeps a request meant for one device from being
 * replayed against another.
 *
 * @param deviceId the calling device
 * @param timestamp when the caller signed, to the millisecond
 * @param nonce 16 to 64 characters of {@code [A-Za-z0-9_-]}, never reused by the caller
 * @param signature the 64-byte Ed25519 signature
 */
public record RequestSignature(PeerId deviceId, Instant timestamp, String nonce, byte[] signature) {

    public static final String DEVICE_HEADER = "X-P2PSync-Device";
    public static final String TIMESTAMP_HEADER = "X-P2PSync-Timestamp";
    public static final String NONCE_HEADER = "X-P2PSync-Nonce";
    public static final String SIGNATURE_HEADER = "X-P2PSync-Signature";

    static final String DOMAIN = "p2p-sync-request-v1";
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,15}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public RequestSignature {
        if (deviceId == null || timestamp == null || nonce == null || signature == null) {
            throw new IllegalArgumentException("every part of a request signature is required");
        }
        if (!NONCE.matcher(nonce).matches()) {
            throw new IllegalArgumentException("the nonce must be 16 to 64 characters of [A-Za-z0-9_-]");
        }
        if (signature.length != 64) {
            throw new IllegalArgumentException("an Ed25519 signature has 64 bytes");
        }
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /**
     * Reads the four headers.
     *
     * @throws MissingSignatureException if any header is absent
     * @throws IllegalArgumentException if a header is present but malformed
     */
    public static RequestSignature fromHeaders(String device, String timestamp, String nonce, String signature) {
        if (device == null || timestamp == null || nonce == null || signature == null) {
            throw new MissingSignatureException();
        }
        if (!DIGITS.matcher(timestamp).matches()) {
            throw new IllegalArgumentException(TIMESTAMP_HEADER + " must be Unix time in milliseconds");
        }
        PeerId id = PeerId.parse(device.trim());
        if (id.publicKey().isEmpty()) {
            throw new IllegalArgumentException(DEVICE_HEADER + " must be an Ed25519 peer id with the key inlined");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SIGNATURE_HEADER + " is not base64");
        }
        return new RequestSignature(id, Instant.ofEpochMilli(Long.parseLong(timestamp)), nonce, sig);
    }

    /**
     * Signs a request and answers the four headers to send with it.
     *
     * @param pathAndQuery the request target as sent, e.g. {@code /sync/pull}
     * @param audience the device id of the server
     * @param body the body bytes as sent (after compression); empty for none
     */
    public static Map<String, String> sign(PrivateKey key, String method, String pathAndQuery, PeerId audience,
                                           Instant now, byte[] body) {
        String nonce = newNonce();
        PeerId caller = key.peerId();
        byte[] message = signedBytes(method, pathAndQuery, caller, audience, now.toEpochMilli(), nonce, body);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(DEVICE_HEADER, caller.toString());
        headers.put(TIMESTAMP_HEADER, Long.toString(now.toEpochMilli()));
        headers.put(NONCE_HEADER, nonce);
        headers.put(SIGNATURE_HEADER, Base64.getEncoder().encodeToString(key.sign(message)));
        return headers;
    }

    /** True if the signature is the caller's over this request addressed to {@code audience}. */
    public boolean verifies(String method, String pathAndQuery, PeerId audience, byte[] body) {
        byte[] message = signedBytes(method, pathAndQuery, deviceId, audience, timestamp.toEpochMilli(), nonce, body);
        return deviceId.publicKey().map(k -> k.verify(message, signature)).orElse(false);
    }

    static byte[] signedBytes(String method, String pathAndQuery, PeerId caller, PeerId audience, long millis,
                              String nonce, byte[] body) {
        String text = String.join("\n", DOMAIN, method.toUpperCase(java.util.Locale.ROOT), pathAndQuery,
                caller.toString(), audience.toString(), Long.toString(millis), nonce, sha256Hex(body));
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String newNonce() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Thrown when a request carries none or only some of the signature headers. */
    public static final class MissingSignatureException extends IllegalArgumentException {
        MissingSignatureException() {
            super("the request must carry " + DEVICE_HEADER + ", " + TIMESTAMP_HEADER + ", " + NONCE_HEADER
                    + " and " + SIGNATURE_HEADER);
        }
    }
}

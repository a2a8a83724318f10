package io.p2psync.messaging;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A direct message as it travels ({@code CHAT_MESSAGE}, {@code STORE_MESSAGE}): signed once by its origin's
 * device key, and relayed unchanged, so any device can check it from the origin's id alone (the id inlines
 * the Ed25519 public key).
 *
 * @param id chosen by the origin; 1..64 characters of {@code [A-Za-z0-9_-]}; a second arrival of the same id is
 *     the same message
 * @param from the origin device
 * @param to the target device
 * @param createdAt when the origin made it, milliseconds since the epoch
 * @param content the text, UTF-8 on the wire
 * @param signature Ed25519 over {@link #signedBytes()} by {@code from}'s key (64 bytes)
 */
public record SignedMessage(String id, PeerId from, PeerId to, long createdAt, String content, byte[] signature) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String DOMAIN = "p2p-sync/msg/1";

    public SignedMessage {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a message id is 1..64 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        if (from == null || to == null || content == null || signature == null) {
            throw new IllegalArgumentException("a message carries id, from, to, createdAt, content and signature");
        }
        if (createdAt <= 0) {
            throw new IllegalArgumentException("createdAt must be positive");
        }
    }

    /** A message from this device, signed with its key. */
    public static SignedMessage sign(DeviceIdentity identity, String id, PeerId to, long createdAt, String content) {
        byte[] bytes = signedBytes(id, identity.deviceId(), to, createdAt, content);
        return new SignedMessage(id, identity.deviceId(), to, createdAt, content, identity.sign(bytes));
    }

    /** Whether {@link #signature} is {@code from}'s over this message. */
    public boolean verifies() {
        return from.publicKey().map(k -> k.verify(signedBytes(), signature)).orElse(false);
    }

    /** The content's length in UTF-8 bytes. */
    public int contentBytes() {
        return content.getBytes(StandardCharsets.UTF_8).length;
    }

    byte[] signedBytes() {
        return signedBytes(id, from, to, createdAt, content);
    }

    /**
     * What the origin signs: the lines {@code p2p-sync/msg/1}, id, from, to, createdAt (decimal) and the
     * lowercase hex SHA-256 of the content's UTF-8 bytes, each ended by {@code \n}, in UTF-8.
     */
    static byte[] signedBytes(String id, PeerId from, PeerId to, long createdAt, String content) {
        String text = DOMAIN + "\n" + id + "\n" + from + "\n" + to + "\n" + createdAt + "\n"
                + sha256Hex(content.getBytes(StandardCharsets.UTF_8)) + "\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Same message, same signature bytes (records compare arrays by identity). */
    boolean sameAs(SignedMessage other) {
        return id.equals(other.id) && from.equals(other.from) && to.equals(other.to) && createdAt == other.createdAt
                && content.equals(other.content) && java.util.Arrays.equals(signature, other.signature);
    }
}

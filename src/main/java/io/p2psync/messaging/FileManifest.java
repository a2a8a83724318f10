package io.p2psync.messaging;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What a file transfer is, signed once by the origin and carried by every FILE_CHUNK: the receiver checks the
 * signature, each chunk against its own hash, and the whole file against {@code sha256}.
 *
 * @param id the transfer's id, as a message id
 * @param name the file's name, without any directory (1..255 characters, no {@code /}, {@code \}, NUL or {@code ..})
 * @param size bytes
 * @param sha256 lowercase hex SHA-256 of the whole file
 * @param chunkSize bytes per chunk (the last one may be shorter)
 * @param signature Ed25519 by {@code from} over the lines {@code p2p-sync/file/1}, id, from, to, name, size,
 *     sha256, chunkSize, each ended by {@code \n}
 */
public record FileManifest(String id, PeerId from, PeerId to, String name, long size, String sha256, int chunkSize,
                           byte[] signature) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public FileManifest {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a file id is 1..64 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        if (from == null || to == null || signature == null || sha256 == null || !HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("a file manifest carries from, to, a hex SHA-256 and a signature");
        }
        if (!safeName(name)) {
            throw new IllegalArgumentException("a file name is 1..255 characters without '/', '\\\\', NUL or '..'");
        }
        if (size < 0 || chunkSize < 1) {
            throw new IllegalArgumentException("size must be 0 or more and chunkSize positive");
        }
    }

    static boolean safeName(String name) {
        return name != null && !name.isEmpty() && name.length() <= 255 && !name.contains("/") && !name.contains("\\")
                && !name.contains("\0") && !name.equals(".") && !name.contains("..");
    }

    static FileManifest sign(DeviceIdentity identity, String id, PeerId to, String name, long size, String sha256,
                             int chunkSize) {
        byte[] bytes = signedBytes(id, identity.deviceId(), to, name, size, sha256, chunkSize);
        return new FileManifest(id, identity.deviceId(), to, name, size, sha256, chunkSize, identity.sign(bytes));
    }

    boolean verifies() {
        return from.publicKey().map(k -> k.verify(signedBytes(id, from, to, name, size, sha256, chunkSize), signature))
                .orElse(false);
    }

    /** How many bytes the chunk at {@code offset} has. */
    int chunkLength(long offset) {
        return (int) Math.min(chunkSize, size - offset);
    }

    private static byte[] signedBytes(String id, PeerId from, PeerId to, String name, long size, String sha256,
                                      int chunkSize) {
        return ("p2p-sync/file/1\n" + id + "\n" + from + "\n" + to + "\n" + name + "\n" + size + "\n" + sha256 + "\n"
                + chunkSize + "\n").getBytes(StandardCharsets.UTF_8);
    }
}

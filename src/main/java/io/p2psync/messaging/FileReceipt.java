package io.p2psync.messaging;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PeerId;
import java.nio.charset.StandardCharsets;

/**
 * The target's receipt of a whole file, signed by the target once the file matched its manifest's SHA-256, so a
 * relay that handed the file over can carry it back to the origin and the origin can trust it without having
 * talked to the target.
 *
 * @param id the transfer's id
 * @param from the target, which signs
 * @param to the file's origin
 * @param sha256 lowercase hex SHA-256 of the file the target holds
 * @param receivedAt when the target had the whole file, milliseconds since the epoch
 * @param signature Ed25519 by {@code from}'s key over the lines {@code p2p-sync/file-receipt/1}, id, from, to,
 *     sha256, receivedAt, each ended by {@code \n}
 */
public record FileReceipt(String id, PeerId from, PeerId to, String sha256, long receivedAt, byte[] signature) {

    private static final String DOMAIN = "p2p-sync/file-receipt/1";

    public FileReceipt {
        if (id == null || from == null || to == null || sha256 == null || signature == null || receivedAt <= 0) {
            throw new IllegalArgumentException("a file receipt carries id, from, to, sha256, receivedAt and signature");
        }
    }

    static FileReceipt sign(DeviceIdentity identity, FileManifest m, long receivedAt) {
        byte[] bytes = signedBytes(m.id(), identity.deviceId(), m.from(), m.sha256(), receivedAt);
        return new FileReceipt(m.id(), identity.deviceId(), m.from(), m.sha256(), receivedAt, identity.sign(bytes));
    }

    /** Whether this is the signature of {@code m}'s target over a receipt of exactly that file. */
    boolean acknowledges(FileManifest m) {
        return id.equals(m.id()) && from.equals(m.to()) && to.equals(m.from()) && sha256.equals(m.sha256())
                && from.publicKey().map(k -> k.verify(signedBytes(id, from, to, sha256, receivedAt), signature))
                .orElse(false);
    }

    private static byte[] signedBytes(String id, PeerId from, PeerId to, String sha256, long receivedAt) {
        return (DOMAIN + "\n" + id + "\n" + from + "\n" + to + "\n" + sha256 + "\n" + receivedAt + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}

package io.p2psync.identity;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.PublicKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * This device's key pair and id. The key is made on first start and kept in {@code <data-dir>/identity.key}
 * in the libp2p protobuf encoding, readable by the owner only (0600).
 */
public final class DeviceIdentity {

    static final String KEY_FILE = "identity.key";

    private final PrivateKey key;
    private final PeerId deviceId;

    public DeviceIdentity(PrivateKey key) {
        this.key = key;
        this.deviceId = key.peerId();
    }

    /** Loads the key from {@code dataDir}, or makes and stores a new one if there is none. */
    public static DeviceIdentity loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            if (Files.exists(file)) {
                return new DeviceIdentity(PrivateKey.fromProtobuf(Files.readAllBytes(file)));
            }
            Files.createDirectories(dataDir);
            PrivateKey key = PrivateKey.generate();
            Path tmp = dataDir.resolve(KEY_FILE + ".tmp");
            Files.deleteIfExists(tmp);
            createOwnerOnly(tmp);
            Files.write(tmp, key.toProtobuf(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new DeviceIdentity(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the device key in " + dataDir, e);
        }
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
    }

    /** The device id: the libp2p peer id of the device key ({@code 12D3KooW…}). */
    public PeerId deviceId() {
        return deviceId;
    }

    public PublicKey publicKey() {
        return key.publicKey();
    }

    /** The private key, for the libp2p host and signers; never logged or sent. */
    public PrivateKey privateKey() {
        return key;
    }

    public byte[] sign(byte[] message) {
        return key.sign(message);
    }
}

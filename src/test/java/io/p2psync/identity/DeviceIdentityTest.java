package io.p2psync.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceIdentityTest {

    @TempDir
    Path dataDir;

    @Test
    void keepsTheSameIdAcrossRestarts() {
        DeviceIdentity first = DeviceIdentity.loadOrCreate(dataDir);
        DeviceIdentity second = DeviceIdentity.loadOrCreate(dataDir);

        assertThat(first.deviceId().toString()).startsWith("12D3KooW");
        assertThat(second.deviceId()).isEqualTo(first.deviceId());
    }

    @Test
    void storesTheKeyReadableByTheOwnerOnly() throws Exception {
        DeviceIdentity.loadOrCreate(dataDir);

        Path file = dataDir.resolve(DeviceIdentity.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void signaturesVerifyAgainstTheKeyCarriedInTheDeviceId() {
        DeviceIdentity identity = DeviceIdentity.loadOrCreate(dataDir);
        byte[] signature = identity.sign("change".getBytes());

        assertThat(identity.deviceId().publicKey().orElseThrow().verify("change".getBytes(), signature)).isTrue();
    }
}

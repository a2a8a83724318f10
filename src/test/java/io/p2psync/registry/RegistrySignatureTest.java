package io.p2psync.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RegistrySignatureTest {

    private final DeviceIdentity device = new DeviceIdentity(PrivateKey.generate());
    private final byte[] body = "{\"version\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void verifiesFromTheDeviceIdAlone() {
        String signature = RegistrySignature.sign(device, RegistrySignature.Purpose.ANNOUNCE, "net-1", body);
        assertThat(RegistrySignature.verify(device.deviceId(), RegistrySignature.Purpose.ANNOUNCE, "net-1", body, signature))
                .isTrue();
    }

    @Test
    void bindsTheNetworkThePurposeTheBodyAndTheKey() {
        String signature = RegistrySignature.sign(device, RegistrySignature.Purpose.ANNOUNCE, "net-1", body);
        DeviceIdentity other = new DeviceIdentity(PrivateKey.generate());
        assertThat(RegistrySignature.verify(device.deviceId(), RegistrySignature.Purpose.ANNOUNCE, "net-2", body, signature)).isFalse();
        assertThat(RegistrySignature.verify(device.deviceId(), RegistrySignature.Purpose.HEARTBEAT, "net-1", body, signature)).isFalse();
        assertThat(RegistrySignature.verify(device.deviceId(), RegistrySignature.Purpose.ANNOUNCE, "net-1",
                "{\"version\":2}".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(RegistrySignature.verify(other.deviceId(), RegistrySignature.Purpose.ANNOUNCE, "net-1", body, signature)).isFalse();
    }

    @Test
    void refusesMissingAndMalformedSignatures() {
        assertThat(RegistrySignature.verify(device.deviceId(), RegistrySignature.Purpose.ANNOUNCE, "net-1", body, null)).isFalse();
        assertThat(RegistrySignature.verify(device.deviceId(), RegistrySignature.Purpose.ANNOUNCE, "net-1", body, " ")).isFalse();
        assertThat(RegistrySignature.verify(device.deviceId(), RegistrySignature.Purpose.ANNOUNCE, "net-1", body, "%%%")).isFalse();
        assertThat(RegistrySignature.verify(device.deviceId(), RegistrySignature.Purpose.ANNOUNCE, "net-1", body, "AAAA")).isFalse();
    }
}

package io.p2psync.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.p2psync.devices.AuthorizedDevices;
import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.devices.DeviceStatus;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.sync.Libp2pRoutes;
import io.p2psync.sync.PeerLocator;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * A paired device known only by id is synced with while a registry may know where it is, and not otherwise; the
 * device itself never is, whatever {@code sync_devices} says.
 */
class PeerDirectoryLocatorTest {

    private final DeviceRepository devices = mock(DeviceRepository.class);
    private final Device withUrl = device("http://127.0.0.5:8080", DeviceStatus.AUTHORIZED);
    private final Device idOnly = device(null, DeviceStatus.AUTHORIZED);
    private final Device pending = device(null, DeviceStatus.PENDING);
    private final DeviceIdentity identity = new DeviceIdentity(PrivateKey.generate());
    /** This device itself, paired by an earlier start from a p2psync.peers list shared by all devices. */
    private final Device itself = new Device(identity.deviceId(), null, "http://127.0.0.6:8080", DeviceStatus.AUTHORIZED,
            null, null, null, Instant.now());

    PeerDirectoryLocatorTest() {
        when(devices.findAll()).thenReturn(List.of(withUrl, idOnly, pending, itself));
    }

    @Test
    void theDeviceItselfIsNeverATarget() {
        when(devices.find(identity.deviceId())).thenReturn(Optional.of(itself));

        assertThat(directory(null).target(identity.deviceId(), null)).isEmpty();
        assertThat(directory(null).syncTargets()).extracting(Peer::deviceId).doesNotContain(identity.deviceId());
    }

    @Test
    void withoutARegistryADeviceKnownOnlyByIdIsNotATarget() {
        assertThat(directory(null).syncTargets()).extracting(Peer::deviceId).containsExactly(withUrl.deviceId());
    }

    @Test
    void withARegistryEveryAuthorizedDeviceIsATarget() {
        PeerLocator locator = device -> Optional.empty();
        assertThat(directory(locator).syncTargets()).extracting(Peer::deviceId)
                .containsExactlyInAnyOrder(withUrl.deviceId(), idOnly.deviceId());
        assertThat(directory(locator).syncTargets()).filteredOn(p -> p.deviceId().equals(idOnly.deviceId()))
                .singleElement().satisfies(p -> assertThat(p.url()).isNull());
    }

    private PeerDirectory directory(PeerLocator locator) {
        StaticListableBeanFactory beans = new StaticListableBeanFactory(locator == null ? Map.of() : Map.of("locator", locator));
        return new PeerDirectory(devices, new AuthorizedDevices(devices), new PeersSettings(List.of()), mock(TailscalePeerSource.class),
                new StaticListableBeanFactory().getBeanProvider(Libp2pRoutes.class), beans.getBeanProvider(PeerLocator.class),
                identity);
    }

    private static Device device(String url, DeviceStatus status) {
        return new Device(PrivateKey.generate().peerId(), null, url, status, null, null, null, Instant.now());
    }
}

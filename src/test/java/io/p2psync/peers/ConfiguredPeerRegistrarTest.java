package io.p2psync.peers;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.p2psync.devices.DeviceRepository;
import io.p2psync.identity.DeviceIdentity;
import io.p2psync.p2p.core.PrivateKey;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

class ConfiguredPeerRegistrarTest {

    private final DeviceIdentity self = new DeviceIdentity(PrivateKey.generate());
    private final DeviceRepository devices = mock(DeviceRepository.class);

    /**
     * One configuration shared by every device lists each of them, this one too: it is not paired with itself
     * (a round with itself always succeeds, so health stayed UP when every real peer failed).
     */
    @Test
    void skipsThisDevicesOwnIdAndAuthorizesTheOthers() {
        var other = PrivateKey.generate().peerId();
        when(devices.find(any())).thenReturn(Optional.empty());
        PeersSettings settings = new PeersSettings(List.of(
                new ConfiguredPeer(URI.create("http://laptop:8080"), self.deviceId()),
                new ConfiguredPeer(URI.create("http://phone:8080"), other)));

        new ConfiguredPeerRegistrar(settings, devices, self, new StaticListableBeanFactory().getBeanProvider(Clock.class))
                .afterSingletonsInstantiated();

        verify(devices, never()).addAuthorized(eq(self.deviceId()), any(), any(), any());
        verify(devices).addAuthorized(eq(other), any(), eq("http://phone:8080"), any());
    }

    /** An earlier start that paired the device with itself is undone: its own row goes from its devices. */
    @Test
    void removesThisDeviceFromItsDevicesWhereAnEarlierStartPairedIt() {
        when(devices.find(self.deviceId())).thenReturn(Optional.of(new io.p2psync.devices.Device(self.deviceId(), null,
                "http://laptop:8080", io.p2psync.devices.DeviceStatus.AUTHORIZED, null, null, null, java.time.Instant.now())));
        when(devices.delete(self.deviceId())).thenReturn(true);
        PeersSettings settings = new PeersSettings(List.of(new ConfiguredPeer(URI.create("http://laptop:8080"), self.deviceId())));

        new ConfiguredPeerRegistrar(settings, devices, self, new StaticListableBeanFactory().getBeanProvider(Clock.class))
                .afterSingletonsInstantiated();

        verify(devices).delete(self.deviceId());
        verify(devices, never()).addAuthorized(eq(self.deviceId()), any(), any(), any());
    }
}

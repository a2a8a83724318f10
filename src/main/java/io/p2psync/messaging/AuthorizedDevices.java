package io.p2psync.messaging;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceChanged;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.p2p.core.PeerId;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.springframework.context.event.EventListener;

/**
 * The devices authorized in {@code sync_devices}, cached: asked for every frame. Reloaded on every device change.
 */
class AuthorizedDevices implements Predicate<PeerId> {

    private final DeviceRepository devices;
    private volatile Set<PeerId> authorized;

    AuthorizedDevices(DeviceRepository devices) {
        this.devices = devices;
        refresh();
    }

    @EventListener
    void onDeviceChanged(DeviceChanged event) {
        refresh();
    }

    void refresh() {
        authorized = devices.findAll().stream().filter(Device::authorized).map(Device::deviceId)
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public boolean test(PeerId peer) {
        return authorized.contains(peer);
    }
}

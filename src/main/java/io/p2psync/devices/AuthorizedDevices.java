package io.p2psync.devices;

import io.p2psync.p2p.core.PeerId;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The devices authorized in {@code sync_devices}, cached for the checks asked on every frame, message and
 * heartbeat (the gossip router's peer filter, the sync and messaging protocols). One cache for the node:
 * reloaded once per {@link DeviceChanged}, before any other listener of that event runs, so a listener sees
 * the change.
 */
public final class AuthorizedDevices implements Predicate<PeerId> {

    private final DeviceRepository devices;
    private volatile Set<PeerId> authorized = Set.of();

    public AuthorizedDevices(DeviceRepository devices) {
        this.devices = devices;
        refresh();
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void onDeviceChanged(DeviceChanged event) {
        refresh();
    }

    /** Reloads the set; answers the devices that were not authorized before. */
    public Set<PeerId> refresh() {
        Set<PeerId> before = authorized;
        Set<PeerId> now = devices.findAll().stream().filter(Device::authorized).map(Device::deviceId)
                .collect(Collectors.toUnmodifiableSet());
        authorized = now;
        return now.stream().filter(p -> !before.contains(p)).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public boolean test(PeerId peer) {
        return authorized.contains(peer);
    }
}

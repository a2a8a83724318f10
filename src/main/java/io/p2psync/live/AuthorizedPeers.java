package io.p2psync.live;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.p2p.core.PeerId;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The devices authorized in {@code sync_devices}, cached for the gossip router's peer filter (asked for
 * every message and heartbeat). {@link #refresh()} reloads it; the live node calls it on every device change.
 */
final class AuthorizedPeers implements Predicate<PeerId> {

    private final DeviceRepository devices;
    private volatile Set<PeerId> authorized = Set.of();

    AuthorizedPeers(DeviceRepository devices) {
        this.devices = devices;
    }

    /** Reloads the set; answers the devices that were not authorized before. */
    Set<PeerId> refresh() {
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

package io.p2psync.devices;

import io.p2psync.p2p.core.PeerId;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The devices authorized in {@code sync_devices}, cached for the checks asked on every request, frame,
 * message and heartbeat (the signature filter of {@code /sync/*}, the sync rounds, the gossip router's peer
 * filter, the sync and messaging protocols). One cache for the node: reloaded once per {@link DeviceChanged},
 * before any other listener of that event runs, so a listener sees the change.
 *
 * <p>Every change of who is authorized, and of a device's name or url, goes through {@link DeviceRepository},
 * which publishes that event. A device's last address and last sync time change without it, so the
 * {@link Device} this cache answers carries them as they were at its last reload: read them from the
 * repository.
 */
public final class AuthorizedDevices implements Predicate<PeerId> {

    private final DeviceRepository devices;
    private volatile Map<PeerId, Device> authorized = Map.of();

    public AuthorizedDevices(DeviceRepository devices) {
        this.devices = devices;
        refresh();
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void onDeviceChanged(DeviceChanged event) {
        refresh();
    }

    /** Reloads the devices; answers those that were not authorized before. */
    public Set<PeerId> refresh() {
        Map<PeerId, Device> before = authorized;
        Map<PeerId, Device> now = devices.findAll().stream().filter(Device::authorized)
                .collect(Collectors.toUnmodifiableMap(Device::deviceId, Function.identity()));
        authorized = now;
        return now.keySet().stream().filter(p -> !before.containsKey(p)).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public boolean test(PeerId peer) {
        return authorized.containsKey(peer);
    }

    /** Every authorized device; their last addresses and last sync times are those of the last reload. */
    public Collection<Device> all() {
        return authorized.values();
    }

    /**
     * The device if it is authorized; its last address and last sync time are those of the last reload.
     */
    public Optional<Device> find(PeerId peer) {
        return Optional.ofNullable(authorized.get(peer));
    }
}

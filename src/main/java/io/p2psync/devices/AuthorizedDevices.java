package io.p2psync.devices;

import io.p2psync.p2p.core.PeerId;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
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

    private static final Logger log = LoggerFactory.getLogger(AuthorizedDevices.class);

    private final DeviceRepository devices;
    /** Null after a reload failed, until one succeeds: nothing is answered from a list that may be out of date. */
    private volatile Map<PeerId, Device> authorized = Map.of();

    public AuthorizedDevices(DeviceRepository devices) {
        this.devices = devices;
        refresh();
    }

    /** The change is saved already: a reload that fails is tried again when the list is next asked for. */
    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void onDeviceChanged(DeviceChanged event) {
        try {
            refresh();
        } catch (DataAccessException unreadable) {
            log.warn("Could not reload the authorized devices after a change of {}: {}; reading them again when next"
                    + " asked", event.deviceId(), unreadable.getMostSpecificCause().getMessage());
        }
    }

    /**
     * Reloads the devices; answers those that were not authorized before. One reload at a time, so an older
     * read of the file never replaces a newer one; the list read before answers meanwhile. If the file cannot be
     * read, the list is dropped and read again when next asked for.
     */
    public synchronized Set<PeerId> refresh() {
        Map<PeerId, Device> before = authorized == null ? Map.of() : authorized;
        Map<PeerId, Device> now = reload();
        return now.keySet().stream().filter(p -> !before.containsKey(p)).collect(Collectors.toUnmodifiableSet());
    }

    private synchronized Map<PeerId, Device> reload() {
        try {
            Map<PeerId, Device> now = devices.findAll().stream().filter(Device::authorized)
                    .collect(Collectors.toUnmodifiableMap(Device::deviceId, Function.identity()));
            authorized = now;
            return now;
        } catch (RuntimeException unreadable) {
            authorized = null;
            throw unreadable;
        }
    }

    /** False for every peer while the list cannot be read. */
    @Override
    public boolean test(PeerId peer) {
        try {
            return current().containsKey(peer);
        } catch (RuntimeException unreadable) {
            return false;
        }
    }

    /** Every authorized device; their last addresses and last sync times are those of the last reload. */
    public Collection<Device> all() {
        return current().values();
    }

    /**
     * The device if it is authorized; its last address and last sync time are those of the last reload. Each
     * reload gives new {@link Device} instances, so a caller can tell a reloaded device by identity.
     */
    public Optional<Device> find(PeerId peer) {
        return Optional.ofNullable(current().get(peer));
    }

    /**
     * The list; read again, by one caller at a time, only after a reload failed.
     *
     * @throws RuntimeException (a {@link DataAccessException} mostly) if it must be read and cannot be
     */
    private Map<PeerId, Device> current() {
        Map<PeerId, Device> now = authorized;
        if (now != null) {
            return now;
        }
        synchronized (this) {
            now = authorized;
            return now != null ? now : reload();
        }
    }
}

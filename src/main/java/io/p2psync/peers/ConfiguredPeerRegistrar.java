package io.p2psync.peers;

import io.p2psync.devices.Device;
import io.p2psync.devices.DeviceRepository;
import io.p2psync.devices.DeviceStatus;
import io.p2psync.identity.DeviceIdentity;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * Authorizes at start-up the peers that {@code p2psync.peers} names with a device id, as
 * {@code POST /devices} would: writing a device id into the configuration is the admin's approval. A device
 * revoked here stays revoked (with a warning); an authorized one keeps its name and gets the configured url
 * only if it has none. Runs once every bean is made (so after the migrations) and before the first catch-up
 * round, which then includes them.
 */
@Component
class ConfiguredPeerRegistrar implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(ConfiguredPeerRegistrar.class);

    private final PeersSettings settings;
    private final DeviceRepository devices;
    private final DeviceIdentity self;
    private final Clock clock;

    ConfiguredPeerRegistrar(PeersSettings settings, DeviceRepository devices, DeviceIdentity self,
                            ObjectProvider<Clock> clock) {
        this.settings = settings;
        this.devices = devices;
        this.self = self;
        this.clock = clock.getIfAvailable(Clock::systemUTC);
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (ConfiguredPeer peer : settings.peers()) {
            if (peer.deviceId() == null) {
                continue;
            }
            if (peer.deviceId().equals(self.deviceId())) {
                // one list shared by all of a person's devices names this one too; a device never pairs with itself
                log.info("p2psync.peers names this device itself ({} at {}); skipped", peer.deviceId(), peer.url());
                if (devices.find(peer.deviceId()).isPresent() && devices.delete(peer.deviceId())) {
                    log.warn("removed this device itself from its devices, where an earlier start had paired it");
                }
                continue;
            }
            Optional<Device> known = devices.find(peer.deviceId());
            if (known.isPresent() && known.get().status() == DeviceStatus.REVOKED) {
                log.warn("p2psync.peers names {} at {}, but it is revoked here; it stays revoked",
                        peer.deviceId(), peer.url());
            } else if (known.isPresent() && known.get().authorized() && known.get().url() != null) {
                log.debug("configured peer {} is already authorized", peer.deviceId());
            } else {
                devices.addAuthorized(peer.deviceId(), known.map(Device::name).orElse(null), peer.url().toString(),
                        clock.instant());
                log.info("Authorized configured peer {} at {}", peer.deviceId(), peer.url());
            }
        }
    }
}

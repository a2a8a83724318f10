package io.p2psync.registry.client;

import io.p2psync.p2p.core.PeerId;
import io.p2psync.sync.PeerLocator;
import java.util.Optional;

/**
 * The catch-up's last resort: where the registry last saw a paired device. Answers the addresses even when the
 * registry counts the device offline (its announcements may have failed while it kept running); the sync round
 * finds out whether they work.
 */
final class RegistryPeerLocator implements PeerLocator {

    private final RegistryClient client;

    RegistryPeerLocator(RegistryClient client) {
        this.client = client;
    }

    @Override
    public Optional<Location> locate(PeerId device) {
        return client.lookup(device.toString())
                .filter(p -> p.restUrl() != null || !p.multiaddrs().isEmpty())
                .map(p -> new Location(p.restUrl(), p.multiaddrs()));
    }
}

package io.p2psync.sync;

import io.p2psync.p2p.core.PeerId;
import java.util.List;
import java.util.Optional;

/**
 * The last resort for reaching a paired device: where something further away (the registry) last saw it. Asked
 * only when its REST url (if any) cannot be reached and no libp2p connection to it is open. Implemented by the
 * registry client when {@code p2psync.registry.url} is set, so this package does not depend on it.
 */
public interface PeerLocator {

    /**
     * Where {@code device} can be reached, as far as the locator knows; empty when it does not know the device, or
     * cannot be asked right now. Never throws for the locator's own failures.
     */
    Optional<Location> locate(PeerId device);

    /**
     * Where a device was last seen.
     *
     * @param restUrl its REST base url, or null
     * @param multiaddrs its libp2p addresses; may be empty
     */
    record Location(String restUrl, List<String> multiaddrs) {

        public Location {
            multiaddrs = multiaddrs == null ? List.of() : List.copyOf(multiaddrs);
        }
    }
}

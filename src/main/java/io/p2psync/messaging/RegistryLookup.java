package io.p2psync.messaging;

import io.p2psync.p2p.core.PeerId;
import java.time.Duration;
import java.util.List;

/**
 * The registry rung of the ladder: where a registry is configured, a bean of this type answers a device's
 * libp2p addresses. Without one the rung is skipped.
 */
public interface RegistryLookup {

    /**
     * The device's addresses as multiaddrs (with or without {@code /p2p/}); empty if the registry does not know it.
     *
     * @param within how long the lookup may take
     */
    List<String> addresses(PeerId device, Duration within);
}

package io.p2psync.registry;

import java.util.List;

/**
 * A coordinator's status ({@code POST /coordinator/heartbeat}): a node that relays and holds store-and-forward
 * messages for others says it is alive and how loaded it is. Signed by its key ({@link RegistrySignature}) for
 * the network its bearer token names.
 *
 * @param version the body's format, {@link Announcement#VERSION}
 * @param deviceId the coordinator's device id
 * @param load how loaded it is, 0 (idle) to 100 (full)
 * @param multiaddrs where it can be reached over libp2p; may be empty
 * @param timestamp when it was signed, milliseconds since the epoch (recent, and later than its last heartbeat)
 */
public record CoordinatorHeartbeat(int version, String deviceId, int load, List<String> multiaddrs, long timestamp) {

    public CoordinatorHeartbeat {
        multiaddrs = multiaddrs == null ? List.of() : List.copyOf(multiaddrs);
    }
}

package io.p2psync.registry;

import java.time.Instant;
import java.util.List;

/**
 * What the registry knows of one device ({@code GET /network/{networkId}/peer/{userId}}, and each item of
 * {@code active-peers}).
 *
 * @param deviceId the device id
 * @param name the name bound to it, or null
 * @param online whether it announced within the registry's presence TTL
 * @param lastSeen when the registry last took an announcement from it
 * @param multiaddrs its libp2p addresses as last announced
 * @param restUrl its REST base url as last announced, or null
 * @param lastCoordinators the coordinators it was connected to at its last announcement, with their status now: where
 *     messages for it wait while it is offline
 */
public record Presence(String deviceId, String name, boolean online, Instant lastSeen, List<String> multiaddrs,
                       String restUrl, List<Coordinator> lastCoordinators) {

    public Presence {
        multiaddrs = multiaddrs == null ? List.of() : List.copyOf(multiaddrs);
        lastCoordinators = lastCoordinators == null ? List.of() : List.copyOf(lastCoordinators);
    }

    /**
     * A coordinator as the registry knows it.
     *
     * @param deviceId its device id
     * @param online whether it sent a heartbeat within the presence TTL
     * @param load its load at its last heartbeat (0-100), or null if it never sent one
     * @param multiaddrs its addresses at its last heartbeat
     */
    public record Coordinator(String deviceId, boolean online, Integer load, List<String> multiaddrs) {

        public Coordinator {
            multiaddrs = multiaddrs == null ? List.of() : List.copyOf(multiaddrs);
        }
    }
}

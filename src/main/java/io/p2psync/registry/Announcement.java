package io.p2psync.registry;

import java.util.List;

/**
 * What a device tells the registry about itself ({@code POST /network/{networkId}/announce}), signed by its key
 * ({@link RegistrySignature}).
 *
 * @param version the body's format, {@link #VERSION}
 * @param deviceId the announcing device (a libp2p peer id, {@code 12D3KooW…})
 * @param name a name bound to the device in its network, by which others may look it up; null for none
 * @param multiaddrs its libp2p addresses, e.g. {@code /ip4/192.168.1.7/tcp/4001/p2p/12D3KooW…}; may be empty
 * @param restUrl its REST base url, e.g. {@code http://192.168.1.7:8080}; null for none
 * @param coordinators device ids of the coordinators it is connected to; may be empty
 * @param timestamp when it was signed, milliseconds since the epoch; the registry takes an announcement only if it
 *     is recent and later than the last one it took from the device, so none can be replayed
 */
public record Announcement(int version, String deviceId, String name, List<String> multiaddrs, String restUrl,
                           List<String> coordinators, long timestamp) {

    public static final int VERSION = 1;

    public Announcement {
        multiaddrs = multiaddrs == null ? List.of() : List.copyOf(multiaddrs);
        coordinators = coordinators == null ? List.of() : List.copyOf(coordinators);
    }
}

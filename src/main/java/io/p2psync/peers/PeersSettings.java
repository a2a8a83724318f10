package io.p2psync.peers;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Peers named in configuration ({@code p2psync.peers}), as a list of urls or {@code deviceId@url} texts
 * (a comma-separated value works on the command line) or as objects with {@code url} and {@code device-id}.
 * A peer given with its device id is authorized at start-up, as {@code POST /devices} would (unless it was
 * revoked here); one given by url alone is listed in {@code GET /peers} as a peer to pair with.
 *
 * @param peers the configured peers (default none)
 */
@ConfigurationProperties("p2psync")
public record PeersSettings(List<ConfiguredPeer> peers) {

    public PeersSettings {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }
}

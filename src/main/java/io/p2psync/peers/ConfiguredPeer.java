package io.p2psync.peers;

import io.p2psync.p2p.core.PeerId;
import java.net.URI;

/**
 * A peer named in {@code p2psync.peers}: a base url and, optionally, the device id expected there.
 * As text (for a comma-separated list on the command line): {@code http://100.64.0.2:8080} or
 * {@code 12D3KooW…@http://100.64.0.2:8080}.
 *
 * @param url the peer's REST base url, {@code http} or {@code https}, no path
 * @param deviceId the device id expected at that url, or null if not given
 */
public record ConfiguredPeer(URI url, PeerId deviceId) {

    public ConfiguredPeer {
        url = PeerUrls.normalize(url);
    }

    /** Parses {@code url} or {@code deviceId@url}. */
    public static ConfiguredPeer parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        int at = trimmed.indexOf('@');
        if (at > 0 && !trimmed.substring(0, at).contains("://")) {
            return new ConfiguredPeer(URI.create(trimmed.substring(at + 1).trim()),
                    PeerId.parse(trimmed.substring(0, at).trim()));
        }
        return new ConfiguredPeer(URI.create(trimmed), null);
    }
}

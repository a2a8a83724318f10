package io.p2psync.peers;

import io.p2psync.p2p.core.PeerId;
import java.net.URI;
import java.util.Set;

/**
 * A device this one syncs with or could sync with.
 *
 * @param key the name its state is kept under: the device id, or the url for a peer whose id is unknown
 * @param deviceId its device id, or null if known only by url
 * @param name a name for people (device name or tailnet host name), or null
 * @param url its REST base url, normalized; null for a paired device known only by id, which is reached over
 *     libp2p while a connection to it is open
 * @param sources where it was learned from; never empty
 * @param paired whether it is an authorized device with a url or a libp2p connection, i.e. whether it is synced with
 * @param online what Tailscale says about it, or null if Tailscale does not list it
 */
public record Peer(String key, PeerId deviceId, String name, URI url, Set<PeerSource> sources, boolean paired,
                   Boolean online) {

    public Peer {
        if (key == null || sources == null || sources.isEmpty()) {
            throw new IllegalArgumentException("a peer has a key and at least one source");
        }
        if (url == null && !paired) {
            throw new IllegalArgumentException("a peer that is not paired has a url");
        }
        if (paired && deviceId == null) {
            throw new IllegalArgumentException("a paired peer has a device id");
        }
        sources = Set.copyOf(sources);
    }
}

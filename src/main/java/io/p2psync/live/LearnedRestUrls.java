package io.p2psync.live;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.MultiaddrProtocol;
import io.p2psync.p2p.core.PeerId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * REST base urls of connected peers, learned from identify: a p2p-sync node announces its REST endpoint as a
 * listen address {@code /ip4/<ip>/tcp/<http-port>/http}. The url combines that port with the IP the
 * connection reached the peer at, which is the address that is known to work. Kept in memory only: LAN
 * addresses change, and a url set by an admin in {@code sync_devices} is left alone. Thread-safe.
 */
final class LearnedRestUrls {

    private final Map<PeerId, String> urls = new ConcurrentHashMap<>();

    /** The base url announced by {@code peer} reached at {@code remote}, if its listen addresses carry one. */
    static Optional<String> fromIdentify(Multiaddr remote, List<byte[]> listenAddrs) {
        Optional<String> ip4 = remote.valueOf(MultiaddrProtocol.IP4);
        Optional<String> ip = ip4.isPresent() ? ip4 : remote.valueOf(MultiaddrProtocol.IP6).map(v -> "[" + v + "]");
        if (ip.isEmpty()) {
            return Optional.empty();
        }
        for (byte[] raw : listenAddrs) {
            Multiaddr addr;
            try {
                addr = Multiaddr.fromBytes(raw);
            } catch (IllegalArgumentException unknown) {
                continue; // protocols this node does not know are not ours
            }
            boolean http = addr.components().stream().anyMatch(c -> c.protocol() == MultiaddrProtocol.HTTP);
            Optional<String> port = addr.valueOf(MultiaddrProtocol.TCP);
            if (http && port.isPresent()) {
                return Optional.of("http://" + ip.get() + ":" + port.get());
            }
        }
        return Optional.empty();
    }

    void learn(PeerId peer, String url) {
        urls.put(peer, url);
    }

    Optional<String> get(PeerId peer) {
        return Optional.ofNullable(urls.get(peer));
    }
}

package io.p2psync.interop;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.mdns.DiscoveredPeer;
import io.p2psync.p2p.mdns.MdnsConfig;
import io.p2psync.p2p.mdns.MdnsDiscovery;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Java libp2p node with mDNS discovery in its own JVM, for tests that run it inside a
 * {@link NetNamespace}: it dials every peer it discovers, as the service does. Prints
 * {@code {"event":"ready","peerId":…,"addrs":[…]}}, then {@code discovered} and {@code connected} events
 * as JSON lines; stops when its stdin closes.
 *
 * <p>Argument: the query interval in milliseconds.
 */
public final class MdnsNodeMain {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MdnsNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Duration interval = Duration.ofMillis(Long.parseLong(args[0]));
        try (JavaNode node = JavaNode.startTcpAndQuic()) {
            node.host().addConnectionListener(new ConnectionListener() {
                @Override
                public void connected(Connection connection) {
                    print(Map.of("event", "connected", "peer", connection.remotePeer().toString(),
                            "outbound", connection.outbound()));
                }
            });
            List<String> addrs = node.host().listenAddresses().stream()
                    .map(a -> a.withPeerId(node.peerId()).toString()).toList();
            try (MdnsDiscovery mdns = new MdnsDiscovery(MdnsConfig.defaults().withQueryInterval(interval),
                    node.peerId(), () -> addrs, peer -> discovered(node, peer))) {
                mdns.start();
                print(Map.of("event", "ready", "peerId", node.peerId().toString(), "addrs", addrs));
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                while (in.readLine() != null) {
                    // nothing to do but wait for stdin to close
                }
            }
        }
        System.exit(0);
    }

    private static void discovered(JavaNode node, DiscoveredPeer peer) {
        print(Map.of("event", "discovered", "peer", peer.peerId().toString(), "addrs", peer.multiaddrs()));
        if (!node.host().isConnected(peer.peerId())) {
            node.host().dial(Multiaddr.parse(peer.multiaddrs().get(0))).whenComplete((c, e) -> {
                if (e != null) {
                    print(Map.of("event", "dialFailed", "peer", peer.peerId().toString(), "error", String.valueOf(e)));
                }
            });
        }
    }

    private static synchronized void print(Map<String, ?> event) {
        System.out.println(JSON.writeValueAsString(event));
        System.out.flush();
    }
}

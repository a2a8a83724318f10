package io.p2psync.interop;

import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.mdns.MdnsConfig;
import io.p2psync.p2p.mdns.MdnsDiscovery;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Java mDNS node in its own JVM, for tests that run it inside a {@link NetNamespace}. Prints
 * {@code {"event":"ready","peerId":…,"addrs":[…]}} and then one {@code {"event":"discovered",…}} line per
 * peer heard; stops when its stdin closes.
 *
 * <p>Arguments: the query interval in milliseconds. It advertises a TCP port it really listens on.
 */
public final class MdnsNodeMain {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MdnsNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Duration interval = Duration.ofMillis(Long.parseLong(args[0]));
        PrivateKey key = PrivateKey.generate();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<String> addrs = List.of("/ip4/127.0.0.1/tcp/" + listener.getLocalPort() + "/p2p/" + key.peerId());
            try (MdnsDiscovery mdns = new MdnsDiscovery(MdnsConfig.defaults().withQueryInterval(interval),
                    key.peerId(), () -> addrs, peer -> print(Map.of("event", "discovered",
                            "peer", peer.peerId().toString(), "addrs", peer.multiaddrs())))) {
                mdns.start();
                print(Map.of("event", "ready", "peerId", key.peerId().toString(), "addrs", addrs));
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                while (in.readLine() != null) {
                    // nothing to do but wait for stdin to close
                }
            }
        }
        System.exit(0);
    }

    private static synchronized void print(Map<String, ?> event) {
        System.out.println(JSON.writeValueAsString(event));
        System.out.flush();
    }
}

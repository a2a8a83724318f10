package io.p2psync.interop;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.kad.DhtNode;
import io.p2psync.p2p.kad.KadConfig;
import io.p2psync.p2p.kad.KadPeer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Java DHT node in its own JVM, for tests that run it inside a {@link NetNamespace}. Prints
 * {@code {"event":"ready","peerId":…,"addrs":[…]}}; with a bootstrap address, dials it and refreshes
 * ({@code bootstrapped}); with a peer id to find, looks it up until found or 30 s have passed ({@code found} with
 * the addresses, or {@code notFound}), then dials each address found ({@code dialed} with ok true or false). Stops
 * when its stdin closes.
 *
 * <p>Arguments: {@code <listen multiaddr> [bootstrap=<multiaddr>] [find=<peer id>]}.
 */
public final class DhtNodeMain {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DhtNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        KadConfig config = KadConfig.defaults().withRefreshInterval(Duration.ZERO)
                .withLimits(Duration.ofSeconds(3), Duration.ofSeconds(10), 100);
        try (DhtNode node = DhtNode.start(config, args[0])) {
            print(Map.of("event", "ready", "peerId", node.peerId().toString(), "addrs",
                    node.host().listenAddresses().stream().map(a -> a.withPeerId(node.peerId()).toString()).toList()));
            for (int i = 1; i < args.length; i++) {
                if (args[i].startsWith("bootstrap=")) {
                    node.dht().bootstrap(List.of(Multiaddr.parse(args[i].substring(10)))).get(30, TimeUnit.SECONDS);
                    print(Map.of("event", "bootstrapped", "table", node.table().stream().map(PeerId::toString).toList()));
                } else if (args[i].startsWith("find=")) {
                    find(node, PeerId.parse(args[i].substring(5)));
                }
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // nothing to do but wait for stdin to close
            }
        }
        System.exit(0);
    }

    private static void find(DhtNode node, PeerId target) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Optional<KadPeer> found = Optional.empty();
        while (found.isEmpty() && System.nanoTime() < deadline) {
            found = node.dht().findPeer(target).get(30, TimeUnit.SECONDS);
            if (found.isEmpty()) {
                Thread.sleep(500); // the peer that knows the target may not have identified it yet
            }
        }
        if (found.isEmpty()) {
            print(Map.of("event", "notFound", "peer", target.toString()));
            return;
        }
        List<Multiaddr> addrs = found.get().addrs();
        print(Map.of("event", "found", "peer", target.toString(), "addrs", addrs.stream().map(Multiaddr::toString).toList()));
        for (Multiaddr a : addrs) {
            boolean ok;
            try {
                node.host().dial(a.withPeerId(target)).get(5, TimeUnit.SECONDS);
                ok = true;
            } catch (Exception e) {
                ok = false;
            }
            print(Map.of("event", "dialed", "addr", a.toString(), "ok", ok));
        }
    }

    private static synchronized void print(Map<String, ?> event) {
        System.out.println(JSON.writeValueAsString(event));
        System.out.flush();
    }
}

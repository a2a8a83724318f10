package io.p2psync.interop;

import io.p2psync.p2p.autonat.AutoNatClient;
import io.p2psync.p2p.autonat.AutoNatServer;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.dcutr.Dcutr;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.ConnectionListener;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.relay.RelayClient;
import io.p2psync.p2p.relay.Reservation;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Java host with identify, the circuit relay client and DCUtR in its own JVM, for tests that run it inside a
 * {@link NetNamespace} next to js-libp2p peers. Prints {@code ready} with its peer id and listen addresses; with
 * {@code reserve=<relay>}, reserves a slot there ({@code reserved} with the circuit addresses); with
 * {@code dial=<address>}, dials it ({@code dialed}); and whenever its connections change, {@code connections} with
 * each one's peer, address, direction and whether it is direct. It identifies every peer that connects, so DCUtR has
 * observed addresses. Stops when its stdin closes.
 *
 * <p>Arguments: {@code <listen multiaddr> [announce=none] [reserve=<multiaddr>] [dial=<multiaddr>] [autonat]}; with
 * {@code announce=none} identify names no listen address (so a js peer sees no public address to dial unasked); with
 * {@code autonat} it serves AutoNAT to everyone, asks every peer it connects to, and prints {@code reachability} with
 * the state whenever it changes.
 */
public final class DcutrNodeMain {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DcutrNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean announce = !List.of(args).contains("announce=none");
        AtomicReference<Host> self = new AtomicReference<>();
        IdentifyProtocol identify = new IdentifyProtocol(() -> {
            Host h = self.get();
            List<byte[]> addrs = announce ? h.listenAddresses().stream().map(Multiaddr::toBytes).toList() : List.of();
            return new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, "p2p-sync-dcutr-test/1.0", h.publicKey(),
                    addrs, null, h.protocolIds());
        });
        Host host = Host.builder().privateKey(PrivateKey.generate()).listen(args[0]).protocol(identify).start();
        self.set(host);
        host.addConnectionListener(new ConnectionListener() {
            @Override
            public void connected(Connection connection) {
                host.newStream(connection, identify).thenCompose(identify::identify);
            }
        });
        RelayClient relay = RelayClient.install(host, Clock.systemUTC());
        Dcutr.install(host, identify::observedAddresses);
        if (List.of(args).contains("autonat")) {
            AutoNatServer.install(host, peer -> true);
            AutoNatClient client = AutoNatClient.start(host, identify, peer -> true, Duration.ofHours(1),
                    Duration.ofSeconds(1));
            client.onChange(state -> print(Map.of("event", "reachability", "state", state.name())));
        }
        print(Map.of("event", "ready", "peerId", host.peerId().toString(), "addrs",
                host.listenAddresses().stream().map(a -> a.withPeerId(host.peerId()).toString()).toList()));
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        AtomicReference<List<Map<String, Object>>> last = new AtomicReference<>(List.of());
        watch.scheduleWithFixedDelay(() -> {
            List<Map<String, Object>> now = new ArrayList<>();
            for (Connection c : host.connections()) {
                now.add(Map.of("peer", c.remotePeer().toString(), "addr", c.remoteAddress().toString(),
                        "outbound", c.outbound(), "direct", c.direct()));
            }
            if (!now.equals(last.getAndSet(now))) {
                print(Map.of("event", "connections", "list", now));
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("reserve=")) {
                Reservation r = relay.reserve(Multiaddr.parse(args[i].substring(8))).get(30, TimeUnit.SECONDS);
                print(Map.of("event", "reserved", "addrs", r.circuitAddresses().stream()
                        .map(a -> a.withPeerId(host.peerId()).toString()).toList()));
            } else if (args[i].startsWith("dial=")) {
                boolean ok;
                try {
                    host.dial(Multiaddr.parse(args[i].substring(5))).get(30, TimeUnit.SECONDS);
                    ok = true;
                } catch (Exception e) {
                    ok = false;
                }
                print(Map.of("event", "dialed", "ok", ok));
            }
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // nothing to do but wait for stdin to close
        }
        watch.shutdownNow();
        relay.close();
        host.close();
        System.exit(0);
    }

    private static synchronized void print(Map<String, ?> event) {
        System.out.println(JSON.writeValueAsString(event));
        System.out.flush();
    }
}

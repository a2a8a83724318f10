package io.p2psync.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.relay.RelayClient;
import io.p2psync.p2p.relay.RelayLimits;
import io.p2psync.p2p.relay.RelayServer;
import io.p2psync.p2p.relay.Reservation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Circuit relay v2 against real js-libp2p peers (@libp2p/circuit-relay-v2 3.2.24) on 127.0.0.1: a js relay carries
 * a connection between two Java hosts, and a Java relay carries one between two js peers and one from a Java host
 * to a js peer. Each side reserves, dials the {@code /p2p-circuit} address and runs Noise and yamux over the circuit.
 */
class JsRelayIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Host javaHost(PrivateKey key) {
        Host host = Host.builder().privateKey(key).listen("/ip4/127.0.0.1/tcp/0").protocol(new EchoProtocol()).start();
        open.add(host);
        return host;
    }

    private JsPeer jsRelayPeer(JsPeer.Options options, String... arguments) throws Exception {
        JsPeer peer = JsPeer.start(options.script("relay-peer.mjs", arguments));
        open.add(peer);
        return peer;
    }

    private static byte[] data(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    @Test
    void aJsRelayCarriesAConnectionBetweenTwoJavaHosts() throws Exception {
        JsPeer relay = jsRelayPeer(new JsPeer.Options(), "--relay", "true");
        Host a = javaHost(PrivateKey.generate());
        Host c = javaHost(PrivateKey.generate());
        RelayClient aClient = RelayClient.install(a, Clock.systemUTC());
        open.add(aClient);
        open.add(RelayClient.install(c, Clock.systemUTC()));

        Reservation reservation = aClient.reserve(Multiaddr.parse(relay.tcpAddr())).get(30, TimeUnit.SECONDS);
        assertThat(reservation.relay()).isEqualTo(relay.peerId());
        assertThat(relay.call("reservations", Map.of()).get("peers").values()).extracting(JsonNode::asString)
                .contains(a.peerId().toString());

        Multiaddr throughRelay = Multiaddr.parse(relay.tcpAddr() + "/p2p-circuit/p2p/" + a.peerId());
        Connection cToA = c.dial(throughRelay).get(30, TimeUnit.SECONDS);
        assertThat(cToA.transport()).isEqualTo(Connection.Transport.RELAYED);
        assertThat(cToA.remotePeer()).isEqualTo(a.peerId());

        byte[] sent = data(512 * 1024);
        assertThat(EchoProtocol.roundTrip(c, a.peerId(), sent).get(30, TimeUnit.SECONDS)).isEqualTo(sent);
        assertThat(a.connection(c.peerId())).get().extracting(Connection::direct).isEqualTo(false);
    }

    @Test
    void aJavaRelayCarriesConnectionsBetweenJsPeersAndFromJavaToJs() throws Exception {
        PrivateKey relayKey = PrivateKey.generate();
        Host relay = javaHost(relayKey);
        RelayServer server = new RelayServer(relay, relayKey, RelayLimits.DEFAULT, peer -> true, peer -> true,
                Clock.systemUTC());
        relay.addProtocol(server);
        String relayAddr = relay.listenAddresses().get(0).withPeerId(relay.peerId()).toString();

        JsPeer x = jsRelayPeer(new JsPeer.Options().listen("/ip4/127.0.0.1/tcp/0", relayAddr + "/p2p-circuit"));
        x.call("serveEcho", Map.of());
        await().atMost(TIMEOUT).until(() -> server.reservedPeers().contains(x.peerId()));
        String xThroughRelay = relayAddr + "/p2p-circuit/p2p/" + x.peerId();
        await().atMost(TIMEOUT).until(() -> x.call("addrs", Map.of()).get("addrs").values().stream()
                .anyMatch(a -> a.asString().equals(xThroughRelay)));

        JsPeer y = jsRelayPeer(new JsPeer.Options());
        JsonNode dialed = y.call("dial", Map.of("addr", xThroughRelay));
        assertThat(dialed.get("peer").asString()).isEqualTo(x.peerId().toString());
        assertThat(dialed.get("addr").asString()).contains("/p2p-circuit");
        assertThat(y.call("echo", Map.of("peer", x.peerId().toString(), "bytes", 256 * 1024)).get("bytes").asInt())
                .isEqualTo(256 * 1024);
        assertThat(server.openCircuits()).isEqualTo(1);

        Host c = javaHost(PrivateKey.generate());
        open.add(RelayClient.install(c, Clock.systemUTC()));
        Connection cToX = c.dial(Multiaddr.parse(xThroughRelay)).get(30, TimeUnit.SECONDS);
        assertThat(cToX.transport()).isEqualTo(Connection.Transport.RELAYED);
        byte[] sent = data(256 * 1024);
        assertThat(EchoProtocol.roundTrip(c, x.peerId(), sent).get(30, TimeUnit.SECONDS)).isEqualTo(sent);
        assertThat(server.openCircuits()).isEqualTo(2);
    }
}

package io.p2psync.p2p.kad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DHT nodes on real hosts on 127.0.0.1: learning peers, finding a peer through another, and bounded lookups. */
class KadDhtTest {

    private static final KadConfig CONFIG = KadConfig.defaults().withRefreshInterval(Duration.ZERO);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void findsAPeerItHasNeverMetThroughOneThatKnowsIt() throws Exception {
        DhtNode a = node(CONFIG);
        DhtNode b = node(CONFIG);
        DhtNode c = node(CONFIG);
        c.host().dial(b.addr()).get(5, TimeUnit.SECONDS);
        a.host().dial(b.addr()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.table().contains(c.peerId()) && a.table().contains(b.peerId()));
        assertThat(a.host().isConnected(c.peerId())).isFalse();

        Optional<KadPeer> found = a.dht().findPeer(c.peerId()).get(10, TimeUnit.SECONDS);

        assertThat(found).isPresent();
        assertThat(found.get().addrs()).contains(c.host().listenAddresses().get(0));
        a.host().dial(found.get().addrs().get(0).withPeerId(c.peerId())).get(5, TimeUnit.SECONDS);
        assertThat(a.host().isConnected(c.peerId())).isTrue();
    }

    @Test
    void aMalformedMessageResetsItsStreamAndTheNodeGoesOnAnswering() throws Exception {
        DhtNode a = node(CONFIG);
        DhtNode b = node(CONFIG);
        DhtNode c = node(CONFIG);
        c.host().dial(b.addr()).get(5, TimeUnit.SECONDS);
        a.host().dial(b.addr()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.table().contains(c.peerId()) && a.table().contains(b.peerId()));

        // a frame of 3 bytes whose protobuf names message type 9, which the spec does not define
        io.p2psync.p2p.host.P2pStream raw = a.host().newStream(b.peerId(), KadConfig.DEFAULT_PROTOCOL_ID)
                .get(5, TimeUnit.SECONDS);
        raw.channel().writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {2, 0x08, 0x09}));
        assertThat(raw.channel().closeFuture().await(10, TimeUnit.SECONDS)).as("stream reset").isTrue();

        assertThat(a.host().isConnected(b.peerId())).isTrue();
        assertThat(a.dht().findPeer(c.peerId()).get(10, TimeUnit.SECONDS)).isPresent();
    }

    @Test
    void aClientAsksButIsNeitherAnnouncedNorPutInTables() throws Exception {
        DhtNode client = node(CONFIG.withMode(KadMode.CLIENT));
        DhtNode b = node(CONFIG);
        DhtNode c = node(CONFIG);
        c.host().dial(b.addr()).get(5, TimeUnit.SECONDS);
        client.host().dial(b.addr()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.table().contains(b.peerId()) && b.table().contains(c.peerId()));

        assertThat(client.dht().isServer()).isFalse();
        assertThat(client.host().protocolIds()).doesNotContain(KadConfig.DEFAULT_PROTOCOL_ID);
        assertThat(client.dht().findPeer(c.peerId()).get(10, TimeUnit.SECONDS)).isPresent();
        assertThat(b.table()).doesNotContain(client.peerId());
    }

    @Test
    void inAutoModeANodeThatIsNotReachableBecomesAClientAndAServerAgainOnceItIs() throws Exception {
        DhtNode auto = node(CONFIG);
        DhtNode b = node(CONFIG);
        DhtNode fixed = node(CONFIG.withMode(KadMode.SERVER));
        auto.host().dial(b.addr()).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.table().contains(auto.peerId()));

        assertThat(auto.dht().reachable(false)).isTrue();
        assertThat(auto.dht().isServer()).isFalse();
        assertThat(auto.host().protocolIds()).doesNotContain(KadConfig.DEFAULT_PROTOCOL_ID);
        assertThat(auto.dht().reachable(false)).as("no change the second time").isFalse();
        // what a peer hears in identify (push) from it now takes it out of that peer's table
        b.dht().learned(DhtNode.info(auto.host()));
        assertThat(b.table()).doesNotContain(auto.peerId());
        assertThat(auto.dht().findPeer(b.peerId()).get(10, TimeUnit.SECONDS)).as("a client still asks").isPresent();

        assertThat(auto.dht().reachable(true)).isTrue();
        assertThat(auto.host().protocolIds()).contains(KadConfig.DEFAULT_PROTOCOL_ID);
        b.dht().learned(DhtNode.info(auto.host()));
        assertThat(b.table()).contains(auto.peerId());

        assertThat(fixed.dht().reachable(false)).as("an explicit mode stays").isFalse();
        assertThat(fixed.dht().isServer()).isTrue();
    }

    @Test
    void aLookupAmongPeersNamingEndlessUnreachablePeersStopsAtTheQueryLimit() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Multiaddr refused = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + closedPort);
        DhtNode a = node(CONFIG.withLimits(Duration.ofSeconds(2), Duration.ofSeconds(60), 10));
        Host endless = endlessPeer(refused);
        a.host().dial(endless.listenAddresses().get(0).withPeerId(endless.peerId())).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.table().contains(endless.peerId()));

        KadDht.LookupResult result = a.dht().find(PrivateKey.generate().peerId()).get(60, TimeUnit.SECONDS);

        assertThat(result.outcome()).isEqualTo(LookupOutcome.QUERY_LIMIT);
        assertThat(result.queries()).isEqualTo(10);
        assertThat(result.found()).isEmpty();
    }

    @Test
    void aLookupAmongPeersThatNeverAnswerEndsAtItsTimeLimit() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(silent);
        Thread acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept()); // accepted, never spoken to: the handshake hangs
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        open.add(() -> held.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing at the end of the test
            }
        }));
        DhtNode a = node(CONFIG.withLimits(Duration.ofSeconds(30), Duration.ofSeconds(2), 1000));
        Host endless = endlessPeer(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + silent.getLocalPort()));
        a.host().dial(endless.listenAddresses().get(0).withPeerId(endless.peerId())).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.table().contains(endless.peerId()));

        KadDht.LookupResult result = a.dht().find(PrivateKey.generate().peerId()).get(20, TimeUnit.SECONDS);

        assertThat(result.outcome()).isEqualTo(LookupOutcome.TIMED_OUT);
        assertThat(result.found()).isEmpty();
        assertThat(result.queries()).isLessThanOrEqualTo(1 + CONFIG.alpha());
    }

    /** A DHT server that answers every request with 20 peers never heard of before, all at {@code addr}. */
    private Host endlessPeer(Multiaddr addr) {
        KadRequests endless = (from, request) -> {
            List<KadPeer> fresh = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                fresh.add(new KadPeer(PrivateKey.generate().peerId(), List.of(addr), null));
            }
            return Optional.of(new KadMessage(request.type(), request.key(), null, fresh, null));
        };
        java.util.concurrent.atomic.AtomicReference<Host> self = new java.util.concurrent.atomic.AtomicReference<>();
        Host host = Host.builder().listen("/ip4/127.0.0.1/tcp/0").ioThreads(1)
                .protocol(new KadProtocol(KadConfig.DEFAULT_PROTOCOL_ID, endless, 1 << 20, Duration.ofSeconds(10)))
                .protocol(DhtNode.identify(self::get))
                .start();
        self.set(host);
        open.add(host);
        return host;
    }

    private DhtNode node(KadConfig config) {
        DhtNode n = DhtNode.start(config);
        open.add(n);
        return n;
    }
}

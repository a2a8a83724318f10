package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.autonat.Reachability;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.RedialPolicy;
import io.p2psync.p2p.identify.IdentifyInfo;
import io.p2psync.p2p.identify.IdentifyProtocol;
import io.p2psync.p2p.kad.DhtNode;
import io.p2psync.p2p.relay.RelayClient;
import io.p2psync.p2p.relay.RelayLimits;
import io.p2psync.p2p.relay.RelayServer;
import io.p2psync.p2p.relay.Reservation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real hosts on 127.0.0.1: a node that AutoNAT (here a settable state) calls PRIVATE picks relays among its
 * connected peers that serve hop, replaces one that goes away, leaves the relay of {@code reserve-on} alone, and drops
 * its automatic reservations once PUBLIC.
 */
class AutoRelayTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private record Node(Host host, IdentifyProtocol identify, PrivateKey key) {
    }

    private Node node() {
        AtomicReference<Host> self = new AtomicReference<>();
        IdentifyProtocol identify = DhtNode.identify(self::get); // the host's addresses and protocols as they are now
        PrivateKey key = PrivateKey.generate();
        Host host = Host.builder().privateKey(key).listen("/ip4/127.0.0.1/tcp/0").protocol(identify)
                .redialPolicy(RedialPolicy.NEVER).start();
        self.set(host);
        open.add(host);
        return new Node(host, identify, key);
    }

    /** A host that relays for anyone. */
    private Node relay() {
        Node relay = answering(new AtomicInteger());
        offerHop(relay);
        return relay;
    }

    /** A host that answers identify with the protocols it has at the time, counting the requests in {@code asked}. */
    private Node answering(AtomicInteger asked) {
        PrivateKey key = PrivateKey.generate();
        AtomicReference<Host> self = new AtomicReference<>();
        IdentifyProtocol identify = new IdentifyProtocol(() -> {
            asked.incrementAndGet();
            Host h = self.get();
            return new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, "relay", h.publicKey(), List.of(), null,
                    h.protocolIds());
        });
        Host host = Host.builder().privateKey(key).listen("/ip4/127.0.0.1/tcp/0").protocol(identify)
                .redialPolicy(RedialPolicy.NEVER).start();
        self.set(host);
        open.add(host);
        return new Node(host, identify, key);
    }

    private static void offerHop(Node node) {
        node.host().addProtocol(new RelayServer(node.host(), node.key(), RelayLimits.DEFAULT, p -> true, p -> true,
                Clock.systemUTC()));
    }

    private static Multiaddr address(Node node) {
        return node.host().listenAddresses().get(0).withPeerId(node.host().peerId());
    }

    private static Set<PeerId> reservedOn(RelayClient client) {
        return Set.copyOf(client.reservations().stream().map(Reservation::relay).toList());
    }

    @Test
    void reservesOnHopPeersWhilePrivateReplacesOneThatGoesAndDropsThemWhenPublic() throws Exception {
        Node device = node();
        Node relay1 = relay();
        Node relay2 = relay();
        Node configured = relay();
        Node noHop = node();
        RelayClient client = RelayClient.install(device.host(), Clock.systemUTC(), Duration.ofMillis(200));
        open.add(client);
        client.keep(address(configured)); // as reserve-on does
        for (Node peer : List.of(relay1, relay2, configured, noHop)) {
            device.host().dial(address(peer)).get(10, TimeUnit.SECONDS);
        }
        AtomicReference<Reachability> state = new AtomicReference<>(Reachability.UNKNOWN);
        AtomicInteger changes = new AtomicInteger();
        AutoRelay auto = new AutoRelay(device.host(), device.identify(), client, p -> true,
                Set.of(configured.host().peerId()), 1, state::get, changes::incrementAndGet);
        open.add(auto);
        Set<PeerId> automatic = Set.of(relay1.host().peerId(), relay2.host().peerId());

        state.set(Reachability.PRIVATE);
        auto.reviewSoon();
        await().atMost(Duration.ofSeconds(20)).until(() -> reservedOn(client).size() == 2);
        PeerId first = auto.relays().iterator().next();
        assertThat(automatic).contains(first);
        assertThat(reservedOn(client)).containsExactlyInAnyOrder(first, configured.host().peerId());

        // the picked relay goes away: the other one with hop is picked, never the peer without it
        (first.equals(relay1.host().peerId()) ? relay1 : relay2).host().close();
        await().atMost(Duration.ofSeconds(20)).until(() -> auto.relays().size() == 1
                && !auto.relays().contains(first) && reservedOn(client).containsAll(auto.relays()));
        assertThat(automatic).containsAll(auto.relays());

        // reachable again: the automatic reservation goes, the configured one stays
        state.set(Reachability.PUBLIC);
        auto.reviewSoon();
        await().atMost(Duration.ofSeconds(20)).until(() -> auto.relays().isEmpty());
        assertThat(client.kept()).containsExactly(address(configured));
        assertThat(reservedOn(client)).containsExactly(configured.host().peerId());
        assertThat(changes.get()).as("identify pushed after reservations were dropped").isPositive();
    }

    @Test
    void asksAPeerWithoutHopOnceAndAgainOnlyWhenItPushesNewIdentify() throws Exception {
        Node device = node();
        AtomicInteger asked = new AtomicInteger();
        Node later = answering(asked); // no hop yet, as a device that AutoNAT still finds unreachable
        RelayClient client = RelayClient.install(device.host(), Clock.systemUTC(), Duration.ofMillis(200));
        open.add(client);
        device.host().dial(address(later)).get(10, TimeUnit.SECONDS);
        AtomicReference<Reachability> state = new AtomicReference<>(Reachability.PRIVATE);
        AutoRelay auto = new AutoRelay(device.host(), device.identify(), client, p -> true, Set.of(), 1, state::get,
                () -> { });
        open.add(auto);

        auto.reviewSoon();
        await().atMost(Duration.ofSeconds(10)).until(() -> asked.get() == 1);
        for (int i = 0; i < 3; i++) {
            auto.reviewSoon();
        }
        assertThat(auto.relays()).isEmpty(); // runs after the reviews: the worker is one thread
        assertThat(asked.get()).as("not asked again on the same connection").isEqualTo(1);

        // it starts offering hop and says so by identify push: asked again at once, and picked
        offerHop(later);
        auto.identifyPushed(later.host().peerId());
        await().atMost(Duration.ofSeconds(10)).until(() -> reservedOn(client).contains(later.host().peerId()));
        assertThat(auto.relays()).containsExactly(later.host().peerId());
        assertThat(asked.get()).isEqualTo(2);
    }
}

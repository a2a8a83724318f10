package io.p2psync.p2p.identify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.RedialPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which identify answers feed {@link IdentifyProtocol#observedAddresses()}, the addresses DCUtR sends for a hole
 * punch: real hosts on 127.0.0.1, where each peer answers with the address it sees this node's connection at.
 */
class ObservedAddressesTest {

    private final List<Host> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(Host::close);
    }

    /** A host whose identify answers name its listen addresses and take the word of {@code observers}. */
    private Node node(Predicate<PeerId> observers) {
        AtomicReference<Host> self = new AtomicReference<>();
        IdentifyProtocol identify = new IdentifyProtocol(() -> {
            Host h = self.get();
            return new IdentifyInfo(IdentifyInfo.DEFAULT_PROTOCOL_VERSION, "observed-test/1.0", h.publicKey(),
                    h.listenAddresses().stream().map(Multiaddr::toBytes).toList(), null, h.protocolIds());
        }, observers);
        Host host = Host.builder().privateKey(PrivateKey.generate()).listen("/ip4/127.0.0.1/tcp/0").protocol(identify)
                .redialPolicy(RedialPolicy.NEVER).start();
        self.set(host);
        open.add(host);
        return new Node(host, identify);
    }

    private record Node(Host host, IdentifyProtocol identify) {
        /** Dials {@code other} and asks its identify; answers the connection this node sees it on. */
        Connection identifies(Node other) throws Exception {
            Connection c = get(host.dial(other.host.listenAddresses().get(0).withPeerId(other.host.peerId())));
            get(host.newStream(c, identify).thenCompose(identify::identify));
            return c;
        }
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(20, TimeUnit.SECONDS);
    }

    /** Where the peer of connection {@code c} sees this node: the connection's local end. */
    private static Multiaddr seenAt(Connection c) {
        java.net.InetSocketAddress local = (java.net.InetSocketAddress) c.channel().localAddress();
        return Multiaddr.parse("/ip4/" + local.getAddress().getHostAddress() + "/tcp/" + local.getPort());
    }

    @Test
    void takesTheObservedAddressOnlyFromTheGivenPeers() throws Exception {
        Node trusted = node(p -> true);
        Node stranger = node(p -> true);
        Node self = node(Set.of(trusted.host().peerId())::contains);

        self.identifies(stranger);
        Connection toTrusted = self.identifies(trusted);

        // an answer is taken just after identify() completes; the stranger's, a round trip earlier, is decided by then
        await().atMost(Duration.ofSeconds(10)).until(() -> !self.identify().observedAddresses().isEmpty());
        assertThat(self.identify().observedAddresses()).as("a stranger's word is not taken")
                .containsExactly(seenAt(toTrusted));
    }

    @Test
    void aStrangerCannotPushOutWhatAGivenPeerSaw() throws Exception {
        Node trusted = node(p -> true);
        Node self = node(Set.of(trusted.host().peerId())::contains);
        Connection toTrusted = self.identifies(trusted);
        await().atMost(Duration.ofSeconds(10)).until(() -> !self.identify().observedAddresses().isEmpty());

        for (int i = 0; i < IdentifyProtocol.MAX_OBSERVED + 1; i++) {
            self.identifies(node(p -> true));
        }

        assertThat(self.identify().observedAddresses()).containsExactly(seenAt(toTrusted));
    }
}

package io.p2psync.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers with throwaway keys connect to a host and stay (real TCP on 127.0.0.1); the host must keep room for
 * the peers it trusts.
 */
class GuestConnectionsTest {

    private static final int SLOTS = 8;

    private final List<Host> hosts = new ArrayList<>();

    @AfterEach
    void closeHosts() {
        hosts.forEach(Host::close);
    }

    @Test
    void anonymousPeersHoldAtMostTheirShareOfTheSlotsAndATrustedPeerStillConnects() throws Exception {
        PrivateKey honest = PrivateKey.generate();
        Host victim = start(Host.builder().listen("/ip4/127.0.0.1/tcp/0").maxInboundConnections(SLOTS)
                .trustedPeers(honest.peerId()::equals).maxGuestConnections(2).guestGracePeriod(Duration.ofMinutes(1)));
        Multiaddr address = victim.listenAddresses().get(0).withPeerId(victim.peerId());

        List<Host> attackers = new ArrayList<>();
        List<CompletableFuture<Connection>> dials = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            Host attacker = start(Host.builder().ioThreads(1).redialPolicy(RedialPolicy.NEVER));
            attackers.add(attacker);
            dials.add(attacker.dial(address));
        }
        for (CompletableFuture<Connection> dial : dials) {
            dial.handle((c, e) -> null).get(20, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(victim.connectedPeers()).hasSizeLessThanOrEqualTo(2));

        Host device = start(Host.builder().privateKey(honest).ioThreads(1));
        device.dial(address).get(20, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> victim.isConnected(honest.peerId()));
        assertThat(attackers.stream().filter(a -> a.isConnected(victim.peerId()))).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void anAnonymousPeerIsClosedAfterTheGracePeriodAndATrustedOneIsKept() throws Exception {
        PrivateKey honest = PrivateKey.generate();
        Host victim = start(Host.builder().listen("/ip4/127.0.0.1/tcp/0").trustedPeers(honest.peerId()::equals)
                .guestGracePeriod(Duration.ofMillis(500)));
        Multiaddr address = victim.listenAddresses().get(0).withPeerId(victim.peerId());
        Host device = start(Host.builder().privateKey(honest).ioThreads(1));
        device.dial(address).get(20, TimeUnit.SECONDS);
        Host stranger = start(Host.builder().ioThreads(1).redialPolicy(RedialPolicy.NEVER));
        stranger.dial(address).get(20, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).until(() -> !victim.isConnected(stranger.peerId()));

        // the trusted peer connected first, so its grace period, had it one, would be over too
        assertThat(victim.isConnected(honest.peerId())).isTrue();
        assertThat(device.isConnected(victim.peerId())).isTrue();
    }

    private Host start(HostBuilder builder) {
        Host host = builder.start();
        hosts.add(host);
        return host;
    }
}

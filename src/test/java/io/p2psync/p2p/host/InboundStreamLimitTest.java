package io.p2psync.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.multistream.MultistreamException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer with a throwaway key opens stream after stream on one connection (real TCP on 127.0.0.1). A stream
 * past the cap is reset at its SYN, which the opening side sees as its negotiation closed.
 */
class InboundStreamLimitTest {

    private final List<Host> hosts = new ArrayList<>();

    @AfterEach
    void closeHosts() {
        hosts.forEach(Host::close);
    }

    @Test
    void streamsPastTheDefaultCapOfOneConnectionAreReset() throws Exception {
        Host victim = listening(Host.builder());
        Host attacker = dialOnly();
        attacker.dial(victim.listenAddresses().get(0).withPeerId(victim.peerId())).get(20, TimeUnit.SECONDS);

        List<P2pStream> held = openAll(attacker, victim, 256);
        CompletableFuture<P2pStream> oneMore = attacker.newStream(victim.peerId(), EchoHandler.PROTOCOL_ID);

        assertThat(oneMore).failsWithin(20, TimeUnit.SECONDS).withThrowableThat()
                .havingRootCause().isInstanceOf(MultistreamException.class).withMessageContaining("closed");
        assertThat(held).allMatch(s -> s.channel().isOpen());
        assertThat(attacker.isConnected(victim.peerId())).isTrue();
    }

    @Test
    void theCapIsConfigurableAndAClosedStreamFreesItsPlace() throws Exception {
        Host victim = listening(Host.builder().maxInboundStreams(4));
        Host attacker = dialOnly();
        attacker.dial(victim.listenAddresses().get(0).withPeerId(victim.peerId())).get(20, TimeUnit.SECONDS);

        List<P2pStream> held = openAll(attacker, victim, 4);
        assertThat(attacker.newStream(victim.peerId(), EchoHandler.PROTOCOL_ID)).failsWithin(20, TimeUnit.SECONDS)
                .withThrowableThat().havingRootCause().isInstanceOf(MultistreamException.class);

        held.get(0).channel().close().sync(); // a RST from this side: the victim forgets the stream
        assertThat(attacker.newStream(victim.peerId(), EchoHandler.PROTOCOL_ID).get(20, TimeUnit.SECONDS).channel().isOpen())
                .isTrue();
    }

    private static List<P2pStream> openAll(Host from, Host to, int count) throws Exception {
        List<CompletableFuture<P2pStream>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(from.newStream(to.peerId(), EchoHandler.PROTOCOL_ID));
        }
        List<P2pStream> open = new ArrayList<>();
        for (CompletableFuture<P2pStream> f : opening) {
            open.add(f.get(20, TimeUnit.SECONDS));
        }
        return open;
    }

    private Host listening(HostBuilder builder) {
        Host host = builder.listen("/ip4/127.0.0.1/tcp/0").protocol(new EchoHandler()).start();
        hosts.add(host);
        return host;
    }

    private Host dialOnly() {
        Host host = Host.builder().protocol(new EchoHandler()).start();
        hosts.add(host);
        return host;
    }
}

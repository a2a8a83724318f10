package io.p2psync.p2p.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.Multiaddr;
import java.util.List;
import org.junit.jupiter.api.Test;

class DialBackAddressesTest {

    private static Multiaddr m(String text) {
        return Multiaddr.parse(text);
    }

    @Test
    void dialsOnlyTcpAddressesOnTheObservedIpEachOnceAndAtMostTheLimit() {
        List<Multiaddr> requested = List.of(m("/ip4/198.51.100.2/tcp/4001"), m("/ip4/203.0.113.9/tcp/4001"),
                m("/ip4/198.51.100.2/udp/4001/quic-v1"), m("/ip4/198.51.100.2/tcp/4001"),
                m("/ip4/198.51.100.2/tcp/4002/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"),
                m("/ip4/198.51.100.2/tcp/4003"));

        assertThat(DialBackAddresses.toDial(requested, m("/ip4/198.51.100.2/tcp/50123"), 2))
                .containsExactly(m("/ip4/198.51.100.2/tcp/4001"), m("/ip4/198.51.100.2/tcp/4002"));
        // a request over QUIC: its IP counts the same
        assertThat(DialBackAddresses.toDial(requested, m("/ip4/198.51.100.2/udp/50123/quic-v1"), 8))
                .containsExactly(m("/ip4/198.51.100.2/tcp/4001"), m("/ip4/198.51.100.2/tcp/4002"),
                        m("/ip4/198.51.100.2/tcp/4003"));
        assertThat(DialBackAddresses.toDial(requested, m("/ip4/192.0.2.1/tcp/1"), 8)).isEmpty();
    }

    @Test
    void asksForEachObservedIpOnEachListenPortThenTheListenAddresses() {
        List<Multiaddr> listen = List.of(m("/ip4/10.0.1.2/tcp/4001"), m("/ip4/10.0.1.2/udp/4001/quic-v1"),
                m("/ip4/0.0.0.0/tcp/4005"));
        List<Multiaddr> observed = List.of(m("/ip4/198.51.100.2/tcp/40123"), m("/ip4/198.51.100.2/udp/41000/quic-v1"),
                m("/ip6/2001:db8::1/tcp/40000"));

        assertThat(DialBackAddresses.toAsk(listen, observed, 8))
                .containsExactly(m("/ip4/198.51.100.2/tcp/4001"), m("/ip4/10.0.1.2/tcp/4001"));
        assertThat(DialBackAddresses.toAsk(listen, observed, 1)).containsExactly(m("/ip4/198.51.100.2/tcp/4001"));
        assertThat(DialBackAddresses.toAsk(listen, List.of(), 8)).containsExactly(m("/ip4/10.0.1.2/tcp/4001"));
    }
}

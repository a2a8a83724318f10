package io.p2psync.p2p.dcutr;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.Multiaddr;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HolePunchAddressesTest {

    private static Multiaddr m(String text) {
        return Multiaddr.parse(text);
    }

    @Test
    void namesTheObservedIpWithThePunchPortFirstThenObservedThenListenAddresses() {
        List<Multiaddr> sent = HolePunchAddresses.advertised(40000,
                List.of(m("/ip4/198.51.100.2/tcp/51234"), m("/ip4/198.51.100.2/tcp/51999")),
                List.of(m("/ip4/10.0.1.2/tcp/4001"), m("/ip4/10.0.1.2/udp/4001/quic-v1")));

        assertThat(sent).containsExactly(m("/ip4/198.51.100.2/tcp/40000"), m("/ip4/198.51.100.2/tcp/51234"),
                m("/ip4/198.51.100.2/tcp/51999"), m("/ip4/10.0.1.2/tcp/4001"));
    }

    @Test
    void dialsOnlyTcpOverAnIpAddressEachOnce() {
        List<Multiaddr> theirs = List.of(
                m("/ip4/203.0.113.2/tcp/39237/p2p/12D3KooWDtSF5eyRvQJWfrKyrQAoZ3QtMxq2ko1btMeoNRUeH8e9"),
                m("/ip4/203.0.113.2/tcp/39237"),
                m("/ip4/203.0.113.1/tcp/4001/p2p/12D3KooWDtSF5eyRvQJWfrKyrQAoZ3QtMxq2ko1btMeoNRUeH8e9/p2p-circuit"),
                m("/ip4/203.0.113.2/udp/4001/quic-v1"),
                m("/dns4/example.org/tcp/4001"),
                m("/ip4/0.0.0.0/tcp/4001"),
                m("/ip6/::1/tcp/4001"));

        assertThat(HolePunchAddresses.toDial(theirs)).containsExactly(m("/ip4/203.0.113.2/tcp/39237"), m("/ip6/::1/tcp/4001"));
    }

    @Test
    void sendsAndDialsAtMostSixteen() {
        List<Multiaddr> many = IntStream.range(1, 40).mapToObj(i -> m("/ip4/10.0.0." + i + "/tcp/4001")).toList();

        assertThat(HolePunchAddresses.advertised(40000, List.of(), many)).hasSize(HolePunchAddresses.MAX_ADDRESSES);
        assertThat(HolePunchAddresses.toDial(many)).hasSize(HolePunchAddresses.MAX_ADDRESSES);
    }

    @Test
    void countsOnlyPublicIpsForAUnilateralUpgrade() {
        List<Multiaddr> all = List.of(m("/ip4/10.0.1.2/tcp/4001"), m("/ip4/172.16.5.1/tcp/4001"),
                m("/ip4/192.168.1.7/tcp/4001"), m("/ip4/127.0.0.1/tcp/4001"), m("/ip4/169.254.1.1/tcp/4001"),
                m("/ip4/100.64.0.1/tcp/4001"), m("/ip6/::1/tcp/4001"), m("/ip6/fd00::1/tcp/4001"),
                m("/ip6/fe80::1/tcp/4001"), m("/ip4/203.0.113.2/tcp/4001"), m("/ip4/11.0.0.1/tcp/4001"),
                m("/ip6/2001:db8::1/tcp/4001"), m("/ip4/198.51.100.1/udp/4001/quic-v1"));

        assertThat(Dcutr.publicAddresses(all)).containsExactly(m("/ip4/203.0.113.2/tcp/4001"),
                m("/ip4/11.0.0.1/tcp/4001"), m("/ip6/2001:db8::1/tcp/4001"));
    }
}

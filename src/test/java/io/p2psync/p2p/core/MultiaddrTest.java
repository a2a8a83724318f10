package io.p2psync.p2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultiaddrTest {

    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest
    @CsvFileSource(resources = "/p2p/multiaddr-vectors.csv")
    void convertsBetweenTextAndBinaryForms(String text, String hex) {
        Multiaddr parsed = Multiaddr.parse(text);

        assertThat(HEX.formatHex(parsed.toBytes())).isEqualTo(hex);
        assertThat(Multiaddr.fromBytes(HEX.parseHex(hex))).isEqualTo(parsed);
        assertThat(parsed.toString()).isEqualTo(text);
    }

    @Test
    void writesIp6InCanonicalForm() {
        assertThat(Multiaddr.parse("/ip6/0:0:0:0:0:0:0:1/tcp/1").toString()).isEqualTo("/ip6/::1/tcp/1");
        assertThat(Multiaddr.parse("/ip6/FE80:0:0:0:1:0:0:0/tcp/1").toString()).isEqualTo("/ip6/fe80::1:0:0:0/tcp/1");
        assertThat(Multiaddr.parse("/ip6/::ffff:1.2.3.4/tcp/1").toString()).isEqualTo("/ip6/::ffff:102:304/tcp/1");
        assertThat(Multiaddr.parse("/ip6/1:2:3:4:5:6:7:8/tcp/1").toString()).isEqualTo("/ip6/1:2:3:4:5:6:7:8/tcp/1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ip4/1.2.3.4", "/ip4", "/ip4/1.2.3", "/ip4/1.2.3.256", "/ip4/example.com",
            "/tcp/65536", "/tcp/-1", "/tcp/http", "/ip6/1::2::3", "/ip6/fe80::1%eth0", "/ip6/1:2:3:4:5:6:7:8:9",
            "/dns4/", "/p2p/notapeerid", "/onion3/abc", "/ip4/1.2.3.4//tcp/1"})
    void rejectsMalformedText(String text) {
        assertThatThrownBy(() -> Multiaddr.parse(text)).isInstanceOf(MultiaddrException.class);
    }

    @Test
    void rejectsUnknownProtocolsWithATypedError() {
        assertThatThrownBy(() -> Multiaddr.parse("/ip4/1.2.3.4/sctp/5"))
                .isInstanceOf(MultiaddrException.class).hasMessageContaining("/sctp");
        assertThatThrownBy(() -> Multiaddr.fromBytes(HEX.parseHex("847f")))
                .isInstanceOf(MultiaddrException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"047f0000", "0604", "350b6578", "ff", "a503221220d5", "350000"})
    void rejectsTruncatedOrMalformedBytes(String hex) {
        assertThatThrownBy(() -> Multiaddr.fromBytes(HEX.parseHex(hex))).isInstanceOf(MultiaddrException.class);
    }

    @Test
    void splitsOffAndAddsThePeerId() {
        PeerId peer = PeerId.parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
        Multiaddr addr = Multiaddr.parse("/ip4/10.0.0.1/tcp/4001/p2p/" + peer);

        assertThat(addr.peerId()).contains(peer);
        assertThat(addr.withoutPeerId()).isEqualTo(Multiaddr.parse("/ip4/10.0.0.1/tcp/4001"));
        assertThat(addr.withoutPeerId().withPeerId(peer)).isEqualTo(addr);
        assertThat(Multiaddr.parse("/ipfs/" + peer).toString()).isEqualTo("/p2p/" + peer);
    }

    @Test
    void namesATcpEndpoint() {
        assertThat(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001").toTcpSocketAddress())
                .isEqualTo(new InetSocketAddress("127.0.0.1", 4001));
        InetSocketAddress dns = Multiaddr.parse("/dns4/node.local/tcp/7").toTcpSocketAddress();
        assertThat(dns.isUnresolved()).isTrue();
        assertThat(dns.getHostString()).isEqualTo("node.local");
        assertThat(Multiaddr.fromSocketAddress(new InetSocketAddress("::1", 9)).toString()).isEqualTo("/ip6/::1/tcp/9");
        assertThatThrownBy(() -> Multiaddr.parse("/ip4/1.2.3.4/udp/5").toTcpSocketAddress())
                .isInstanceOf(MultiaddrException.class);
    }
}

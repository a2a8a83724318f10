package io.p2psync.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.Host;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Dialling peers heard by mDNS, with real hosts on 127.0.0.1. */
class PeerDialerTest {

    private final Host listener = Host.builder().listen("/ip4/127.0.0.1/tcp/0").listen("/ip4/127.0.0.1/udp/0/quic-v1")
            .start();
    private final Host dialer = Host.builder().listen("/ip4/127.0.0.1/tcp/0").start();

    @AfterEach
    void close() {
        listener.close();
        dialer.close();
    }

    @Test
    void dialsADiscoveredPeerAtADnsAddressBesideOnesItCannotUse() {
        Multiaddr at = listener.listenAddresses().get(0);
        String port = at.toString().substring(at.toString().lastIndexOf('/') + 1);

        new PeerDialer(dialer, JsonMapper.builder().build(), true, true).dialDiscovered(listener.peerId(),
                List.of("/dns4/localhost/tcp/" + port, "/ip4/127.0.0.1/udp/" + port + "/quic-v1"));

        assertThat(dialer.isConnected(listener.peerId())).isTrue();
    }

    @Test
    void dialsQuicFirstWhenAPeerAnnouncesBoth() {
        List<String> announced = listener.listenAddresses().stream().map(Multiaddr::toString).toList();
        assertThat(announced.get(0)).contains("/tcp/");

        new PeerDialer(dialer, JsonMapper.builder().build(), true, true).dialDiscovered(listener.peerId(), announced);

        assertThat(dialer.connection(listener.peerId()).orElseThrow().transport()).isEqualTo(Connection.Transport.QUIC);
    }

    @Test
    void fallsBackToTcpWhenTheQuicAddressDoesNotAnswer() {
        Multiaddr tcp = listener.listenAddresses().get(0);
        Multiaddr deadQuic = Multiaddr.parse("/ip4/127.0.0.1/udp/9/quic-v1"); // the discard port: nothing answers

        new PeerDialer(dialer, JsonMapper.builder().build(), true, true).dialDiscovered(listener.peerId(),
                List.of(tcp.toString(), deadQuic.toString()));

        assertThat(dialer.connection(listener.peerId()).orElseThrow().transport()).isEqualTo(Connection.Transport.TCP);
    }

    @Test
    void doesNotDialATransportSwitchedOffHere() {
        PeerDialer quicOnly = new PeerDialer(dialer, JsonMapper.builder().build(), false, true);
        List<Multiaddr> both = listener.listenAddresses();

        assertThat(quicOnly.preferred(both)).singleElement().matches(Multiaddr::isQuic);
        quicOnly.dialDiscovered(listener.peerId(), List.of(both.get(0).toString()));
        assertThat(dialer.isConnected(listener.peerId())).isFalse();
    }
}

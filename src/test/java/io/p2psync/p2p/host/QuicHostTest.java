package io.p2psync.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.quic.QuicTransport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Two Java hosts over real QUIC (UDP on 127.0.0.1): connections, streams and the refusals. */
class QuicHostTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String QUIC = "/ip4/127.0.0.1/udp/0/quic-v1";

    private final List<Host> hosts = new ArrayList<>();

    private Host start(HostBuilder builder) {
        Host host = builder.protocol(new EchoHandler()).start();
        hosts.add(host);
        return host;
    }

    private Host quicHost() {
        return start(Host.builder().listen(QUIC));
    }

    private static Multiaddr quicAddressOf(Host host) {
        return host.listenAddresses().stream().filter(Multiaddr::isQuic).findFirst().orElseThrow()
                .withPeerId(host.peerId());
    }

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(QuicTransport.class)).addAppender(logs);
    }

    @AfterEach
    void closeHosts() {
        hosts.forEach(Host::close);
        ((Logger) LoggerFactory.getLogger(QuicTransport.class)).detachAppender(logs);
    }

    @Test
    void dialsOverQuicAndEchoesAMegabyteOnAStream() throws Exception {
        Host listener = quicHost();
        Host dialer = quicHost();

        Connection connection = dialer.dial(quicAddressOf(listener)).get(20, TimeUnit.SECONDS);

        assertThat(connection.transport()).isEqualTo(Connection.Transport.QUIC);
        assertThat(connection.remotePeer()).isEqualTo(listener.peerId());
        assertThat(connection.remoteAddress().isQuic()).isTrue();
        await().atMost(WAIT).until(() -> listener.isConnected(dialer.peerId()));
        assertThat(listener.connection(dialer.peerId()).orElseThrow().transport()).isEqualTo(Connection.Transport.QUIC);
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        assertThat(EchoHandler.echo(dialer, listener.peerId(), data)).isEqualTo(data);
        assertThat(EchoHandler.echo(listener, dialer.peerId(), "the other way".getBytes())).isEqualTo("the other way".getBytes());
    }

    @Test
    void carriesAHundredConcurrentStreams() throws Exception {
        Host listener = quicHost();
        Host dialer = quicHost();
        dialer.dial(quicAddressOf(listener)).get(20, TimeUnit.SECONDS);

        EchoHandler.echoConcurrently(dialer, listener.peerId(), 100);
    }

    @Test
    void refusesAPeerWhoseCertificateNamesAnotherPeerThanTheOneDialled() {
        Host listener = quicHost();
        Host dialer = quicHost();
        PeerId someoneElse = PrivateKey.generate().peerId();

        assertThat(dialer.dial(quicAddressOf(listener).withPeerId(someoneElse)))
                .failsWithin(20, TimeUnit.SECONDS).withThrowableThat()
                .withMessageContaining("is not the dialled " + someoneElse);
        assertThat(dialer.isConnected(listener.peerId())).isFalse();
    }

    @Test
    void listensOnTheTcpPortNumberWhenBothAskForAFreePort() {
        Host host = start(Host.builder().listen("/ip4/127.0.0.1/tcp/0").listen(QUIC));

        List<Multiaddr> addresses = host.listenAddresses();

        assertThat(addresses).hasSize(2);
        assertThat(addresses.get(0).toString()).startsWith("/ip4/127.0.0.1/tcp/");
        assertThat(addresses.get(1).toString())
                .isEqualTo("/ip4/127.0.0.1/udp/" + addresses.get(0).toTcpSocketAddress().getPort() + "/quic-v1");
    }

    @Test
    void aHostOnBothTransportsTakesTcpAndQuicDials() throws Exception {
        Host both = start(Host.builder().listen("/ip4/127.0.0.1/tcp/0").listen(QUIC));
        Host overTcp = start(Host.builder());
        Host overQuic = start(Host.builder());

        Connection tcp = overTcp.dial(both.listenAddresses().get(0).withPeerId(both.peerId())).get(20, TimeUnit.SECONDS);
        Connection quic = overQuic.dial(quicAddressOf(both)).get(20, TimeUnit.SECONDS);

        assertThat(tcp.transport()).isEqualTo(Connection.Transport.TCP);
        assertThat(quic.transport()).isEqualTo(Connection.Transport.QUIC);
        assertThat(EchoHandler.echo(overTcp, both.peerId(), "tcp".getBytes())).isEqualTo("tcp".getBytes());
        assertThat(EchoHandler.echo(overQuic, both.peerId(), "quic".getBytes())).isEqualTo("quic".getBytes());
    }

    @Test
    void garbageDatagramsAreDroppedAndTheListenerGoesOn() throws Exception {
        Host listener = quicHost();
        InetSocketAddress target = quicAddressOf(listener).withoutPeerId().toQuicSocketAddress();
        Random random = new Random(11);
        try (DatagramSocket socket = new DatagramSocket()) {
            // a well-formed QUIC v1 Initial header, but in a datagram too short to be a client's first flight
            byte[] header = HexFormat.of().parseHex("c0" + "00000001" + "08" + "0102030405060708" + "00" + "00" + "4010");
            byte[] padded = Arrays.copyOf(header, 100);
            socket.send(new DatagramPacket(padded, padded.length, target));
            for (int i = 0; i < 200; i++) {
                byte[] garbage = new byte[1 + random.nextInt(1400)];
                random.nextBytes(garbage);
                socket.send(new DatagramPacket(garbage, garbage.length, target));
            }
        }

        Host dialer = quicHost();
        dialer.dial(quicAddressOf(listener)).get(20, TimeUnit.SECONDS);
        assertThat(EchoHandler.echo(dialer, listener.peerId(), "still here".getBytes())).isEqualTo("still here".getBytes());
        assertThat(logs.list).map(ILoggingEvent::getFormattedMessage)
                .anyMatch(line -> line.startsWith("dropped a UDP datagram") && line.contains("fixed bit is clear"))
                .anyMatch(line -> line.startsWith("dropped a UDP datagram") && line.contains("under 1200 bytes"));
    }

    @Test
    void aPeerCannotHoldMoreStreamsThanTheCapAndAClosedOneFreesItsPlace() throws Exception {
        Host victim = start(Host.builder().listen(QUIC).maxInboundStreams(4));
        Host peer = quicHost();
        peer.dial(quicAddressOf(victim)).get(20, TimeUnit.SECONDS);

        List<P2pStream> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(peer.newStream(victim.peerId(), EchoHandler.PROTOCOL_ID).get(20, TimeUnit.SECONDS));
        }
        CompletableFuture<P2pStream> fifth = peer.newStream(victim.peerId(), EchoHandler.PROTOCOL_ID);

        assertThat(fifth).failsWithin(20, TimeUnit.SECONDS);
        assertThat(held).allMatch(s -> s.channel().isOpen());
        assertThat(peer.isConnected(victim.peerId())).isTrue();
        held.get(0).channel().close().sync();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
                peer.newStream(victim.peerId(), EchoHandler.PROTOCOL_ID).get(5, TimeUnit.SECONDS).channel().isOpen())
                .isTrue());
    }

    @Test
    void aHostThatClosesTellsItsQuicPeersAtOnceRatherThanLeavingThemToTheIdleTimeout() throws Exception {
        Host closing = quicHost();
        Host peer = start(Host.builder().listen(QUIC).quicIdleTimeout(Duration.ofMinutes(5)));
        peer.dial(quicAddressOf(closing)).get(20, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> closing.isConnected(peer.peerId()));

        closing.close();

        await().atMost(WAIT).until(() -> !peer.isConnected(closing.peerId()));
    }

    @Test
    void concurrentStreamsThatHalfCloseDeliverEverythingThenTheirEnd() throws Exception {
        Host listener = quicHost();
        Host dialer = quicHost();
        dialer.dial(quicAddressOf(listener)).get(20, TimeUnit.SECONDS);

        for (int round = 0; round < 5; round++) {
            List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                echoes.add(EchoHandler.roundTrip(dialer, listener.peerId(), new byte[16 * 1024 + i]));
            }
            for (int i = 0; i < 50; i++) {
                assertThat(echoes.get(i).get(20, TimeUnit.SECONDS)).hasSize(16 * 1024 + i);
            }
        }
    }
}

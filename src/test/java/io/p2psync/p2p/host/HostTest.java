package io.p2psync.p2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.multistream.MultistreamException;
import io.p2psync.p2p.noise.NoiseException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two Java hosts over real TCP on 127.0.0.1. */
class HostTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<Host> hosts = new ArrayList<>();

    private Host start(HostBuilder builder) {
        Host host = builder.listen("/ip4/127.0.0.1/tcp/0").protocol(new EchoHandler()).start();
        hosts.add(host);
        return host;
    }

    private Host start() {
        return start(Host.builder());
    }

    private static Multiaddr addressOf(Host host) {
        return host.listenAddresses().get(0).withPeerId(host.peerId());
    }

    @AfterEach
    void closeHosts() {
        hosts.forEach(Host::close);
    }

    @Test
    void dialsAPeerAndEchoesDataOverAStream() throws Exception {
        Host listener = start();
        Host dialer = start();

        Connection connection = dialer.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);

        assertThat(connection.remotePeer()).isEqualTo(listener.peerId());
        assertThat(connection.outbound()).isTrue();
        await().atMost(WAIT).until(() -> listener.isConnected(dialer.peerId()));
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        assertThat(EchoHandler.echo(dialer, listener.peerId(), data)).isEqualTo(data);
    }

    @Test
    void carriesAHundredConcurrentStreams() throws Exception {
        Host listener = start();
        Host dialer = start();
        dialer.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);

        EchoHandler.echoConcurrently(dialer, listener.peerId(), 100);
    }

    @Test
    void refusesAConnectionWhosePeerIdDiffersFromTheOneDialled() {
        Host listener = start();
        Host dialer = start();
        PeerId someoneElse = PrivateKey.generate().peerId();

        CompletableFuture<Connection> dial = dialer.dial(listener.listenAddresses().get(0).withPeerId(someoneElse));

        assertThat(dial).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NoiseException.class);
        assertThat(dialer.isConnected(listener.peerId())).isFalse();
        assertThat(dialer.isConnected(someoneElse)).isFalse();
        await().atMost(WAIT).until(() -> listener.connectedPeers().isEmpty());
    }

    @Test
    void tellsListenersWhenAPeerComesAndGoes() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        Host listener = start(Host.builder().connectionListener(new ConnectionListener() {
            @Override
            public void connected(Connection c) {
                events.add("connected " + c.remotePeer());
            }

            @Override
            public void disconnected(Connection c) {
                events.add("disconnected " + c.remotePeer());
            }
        }));
        Host dialer = start();

        dialer.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> events.size() == 1);
        dialer.close();

        await().atMost(WAIT).until(() -> events.size() == 2);
        assertThat(events).containsExactly("connected " + dialer.peerId(), "disconnected " + dialer.peerId());
    }

    @Test
    void redialsAPeerItDialledOnPurposeAfterLosingIt() throws Exception {
        Host listener = start();
        Host dialer = start(Host.builder().redialPolicy(
                new RedialPolicy(Duration.ofMillis(50), Duration.ofMillis(200), 10)));
        Connection first = dialer.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);
        // the dialer's side is upgraded first; the listener registers its side a moment later
        await().atMost(WAIT).until(() -> listener.connection(dialer.peerId()).isPresent());

        listener.connection(dialer.peerId()).orElseThrow().channel().close();

        await().atMost(WAIT).until(() -> !first.isOpen());
        await().atMost(WAIT).until(() -> dialer.connection(listener.peerId()).filter(c -> c != first).isPresent());
        assertThat(EchoHandler.echo(dialer, listener.peerId(), "again".getBytes())).isEqualTo("again".getBytes());
    }

    @Test
    void doesNotRedialAPeerThatWasDisconnectedOnPurpose() throws Exception {
        Host listener = start();
        Host dialer = start(Host.builder().redialPolicy(
                new RedialPolicy(Duration.ofMillis(10), Duration.ofMillis(20), 10)));
        dialer.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);

        dialer.disconnect(listener.peerId());

        await().atMost(WAIT).until(() -> listener.connectedPeers().isEmpty() && dialer.connectedPeers().isEmpty());
        // A redial would be attempted within 20 ms; a listener-side connection would show it.
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> listener.connectedPeers().isEmpty());
    }

    @Test
    void anUnknownProtocolFailsOnlyThatStream() throws Exception {
        Host listener = start();
        Host dialer = start();
        Connection connection = dialer.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);

        CompletableFuture<P2pStream> stream = dialer.newStream(listener.peerId(), "/no/such/protocol");

        assertThat(stream).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(MultistreamException.class);
        assertThat(connection.isOpen()).isTrue();
        assertThat(EchoHandler.echo(dialer, listener.peerId(), "still here".getBytes())).isEqualTo("still here".getBytes());
    }

    @Test
    void newStreamFailsForAPeerNotConnected() {
        Host host = start();
        assertThat(host.newStream(PrivateKey.generate().peerId(), EchoHandler.PROTOCOL_ID))
                .failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NotConnectedException.class);
    }

    @Test
    void garbageOnOneConnectionClosesOnlyThatConnection() throws Exception {
        Host listener = start();
        Host dialer = start();
        dialer.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);
        var tcp = listener.listenAddresses().get(0).toTcpSocketAddress();

        try (Socket socket = new Socket(tcp.getAddress(), tcp.getPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("\u0013/multistream/1.0.0\n\u0007/noise\n".getBytes());
            out.write(new byte[] {0, 40});
            out.write(new byte[40]); // not a valid handshake message: 40 zero bytes
            out.flush();
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // the listener's multistream answers, then end of stream when it closes
            }
        }

        assertThat(EchoHandler.echo(dialer, listener.peerId(), "unaffected".getBytes())).isEqualTo("unaffected".getBytes());
    }

    @Test
    void garbageOnOneStreamClosesOnlyThatStream() throws Exception {
        Host listener = start();
        Host dialer = start();
        Connection connection = dialer.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);
        io.netty.channel.Channel raw = connection.muxer().openStream().get(20, TimeUnit.SECONDS);

        raw.writeAndFlush(Unpooled.wrappedBuffer("\u0013/multistream/1.0.0\n\u0005oops!".getBytes()));

        await().atMost(WAIT).until(() -> !raw.isActive());
        assertThat(connection.isOpen()).isTrue();
        assertThat(EchoHandler.echo(dialer, listener.peerId(), "fine".getBytes())).isEqualTo("fine".getBytes());
    }

    @Test
    void listsConcreteAddressesWhenListeningOnAllInterfaces() {
        Host host = Host.builder().listen("/ip4/0.0.0.0/tcp/0").start();
        hosts.add(host);

        List<Multiaddr> addresses = host.listenAddresses();

        assertThat(addresses).isNotEmpty().noneMatch(a -> a.toString().startsWith("/ip4/0.0.0.0/"));
        assertThat(addresses).anyMatch(a -> a.toString().startsWith("/ip4/127.0.0.1/tcp/"));
        assertThat(addresses).allMatch(a -> !a.toString().endsWith("/tcp/0"));
    }

    @Test
    void dialFailsForAnAddressNobodyListensOn() throws Exception {
        Host dialer = start();
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThat(dialer.dial(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port))).failsWithin(WAIT);
        assertThat(dialer.dial(Multiaddr.parse("/ip4/127.0.0.1/udp/" + port)))
                .failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(io.p2psync.p2p.core.MultiaddrException.class);
    }

    @Test
    void refusesToConnectToItself() {
        Host host = start();

        assertThat(host.dial(addressOf(host))).failsWithin(WAIT);
        // Without a /p2p part the handshake succeeds; the host then sees its own id and hangs up.
        assertThat(host.dial(host.listenAddresses().get(0))).failsWithin(WAIT);
        await().atMost(WAIT).until(() -> host.connectedPeers().isEmpty());
    }

    @Test
    void closesInboundConnectionsBeyondItsLimit() throws Exception {
        Host listener = start(Host.builder().maxInboundConnections(1));
        Host first = start();
        Host second = start();
        first.dial(addressOf(listener)).get(20, TimeUnit.SECONDS);

        assertThat(second.dial(addressOf(listener))).failsWithin(WAIT);
        assertThat(listener.connectedPeers()).containsExactly(first.peerId());

        first.disconnect(listener.peerId());
        await().atMost(WAIT).until(() -> listener.connectedPeers().isEmpty());
        assertThat(second.dial(addressOf(listener))).succeedsWithin(WAIT);
    }

    @Test
    void dialsAHostName() throws Exception {
        Host listener = start();
        Host dialer = start();
        String port = listener.listenAddresses().get(0).valueOf(io.p2psync.p2p.core.MultiaddrProtocol.TCP).orElseThrow();

        Connection connection = dialer.dial(Multiaddr.parse("/dns4/localhost/tcp/" + port + "/p2p/" + listener.peerId()))
                .get(20, TimeUnit.SECONDS);

        assertThat(connection.remotePeer()).isEqualTo(listener.peerId());
        // localhost has no IPv6 address that this IPv4 listener serves: /dns6 must not fall back to IPv4.
        assertThat(dialer.dial(Multiaddr.parse("/dns6/localhost/tcp/" + port))).failsWithin(WAIT);
    }
}

package io.p2psync.p2p.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.EchoHandler;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.host.RedialPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three real hosts on 127.0.0.1: A reserves on relay B, C reaches A through B. */
class RelayCircuitTest {

    private final List<AutoCloseable> open = new ArrayList<>();
    private Host a;
    private Host b;
    private Host c;
    private RelayServer relay;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Host host(PrivateKey key) {
        // no redials: a circuit the relay closes must stay closed for the test to see it
        Host host = Host.builder().privateKey(key).listen("/ip4/127.0.0.1/tcp/0").protocol(new EchoHandler())
                .redialPolicy(RedialPolicy.NEVER).start();
        open.add(host);
        return host;
    }

    /** Starts A and C as plain hosts and B as a relay with {@code limits} serving the peers {@code allowed} admits. */
    private void start(RelayLimits limits, Predicate<PeerId> allowed) {
        PrivateKey bKey = PrivateKey.generate();
        a = host(PrivateKey.generate());
        b = host(bKey);
        c = host(PrivateKey.generate());
        relay = new RelayServer(b, bKey, limits, allowed, allowed, Clock.systemUTC());
        b.addProtocol(relay);
    }

    private void start() {
        start(RelayLimits.DEFAULT, peer -> true);
    }

    private RelayClient client(Host host) {
        RelayClient client = RelayClient.install(host, Clock.systemUTC());
        open.add(client);
        return client;
    }

    private static Multiaddr addressOf(Host host) {
        return host.listenAddresses().get(0).withPeerId(host.peerId());
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(20, TimeUnit.SECONDS);
    }

    /**
     * The target starts its side of the connection upgrade as soon as it accepts the circuit, so its first bytes can
     * come in the same read as the relay's answer. Whatever the dialling side installs when the circuit opens gets
     * them, even though nothing waits on the returned future yet (a host's dial once attached its upgrade to that
     * future only after the call returned, and lost those bytes when the answer came first).
     */
    @Test
    void whatTheDiallerInstallsWhenTheCircuitOpensGetsTheTargetsFirstBytes() throws Exception {
        start();
        RelayClient aClient = client(a);
        RelayClient cClient = client(c);
        get(aClient.reserve(addressOf(b)));
        CompletableFuture<byte[]> first = new CompletableFuture<>();

        CompletableFuture<Channel> circuit = cClient.openCircuit(addressOf(b), a.peerId(), opened ->
                opened.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf bytes = (ByteBuf) msg;
                        first.complete(ByteBufUtil.getBytes(bytes));
                        bytes.release();
                    }
                }));

        byte[] bytes = get(first);
        assertThat(circuit).isCompleted();
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                .as("the target's multistream header, length-prefixed")
                .startsWith("\u0013/multistream/1.0.0\n");
    }

    @Test
    void carriesASecuredConnectionThroughARelayBookedAsRelayed() throws Exception {
        start();
        RelayClient aClient = client(a);
        client(c);

        Reservation reservation = get(aClient.reserve(addressOf(b)));
        assertThat(reservation.relay()).isEqualTo(b.peerId());
        assertThat(reservation.circuitAddresses()).contains(Multiaddr.parse(addressOf(b) + "/p2p-circuit"));
        assertThat(relay.reservedPeers()).containsExactly(a.peerId());

        Multiaddr throughB = reservation.circuitAddresses().get(0).withPeerId(a.peerId());
        Connection cToA = get(c.dial(throughB));
        assertThat(cToA.transport()).isEqualTo(Connection.Transport.RELAYED);
        assertThat(cToA.direct()).isFalse();
        assertThat(cToA.remotePeer()).isEqualTo(a.peerId());

        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        assertThat(get(EchoHandler.roundTrip(c, a.peerId(), data))).isEqualTo(data);
        assertThat(get(EchoHandler.roundTrip(a, c.peerId(), "back".getBytes()))).isEqualTo("back".getBytes());
        assertThat(a.connection(c.peerId())).get().extracting(Connection::transport)
                .isEqualTo(Connection.Transport.RELAYED);
        assertThat(relay.openCircuits()).isEqualTo(1);

        cToA.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.openCircuits() == 0);
        assertThat(b.isConnected(a.peerId())).isTrue();
    }

    @Test
    void releasedReservationIsNoLongerAnnouncedAndCanBeKeptAgain() throws Exception {
        start();
        RelayClient aClient = client(a);

        aClient.keep(addressOf(b));
        await().atMost(Duration.ofSeconds(10)).until(() -> !aClient.circuitAddresses().isEmpty());
        assertThat(aClient.release(addressOf(b))).isTrue();

        assertThat(aClient.circuitAddresses()).isEmpty();
        assertThat(aClient.kept()).isEmpty();
        assertThat(aClient.release(addressOf(b))).as("released twice").isFalse();
        aClient.keep(addressOf(b));
        await().atMost(Duration.ofSeconds(10)).until(() -> !aClient.circuitAddresses().isEmpty());
        assertThat(aClient.kept()).containsExactly(addressOf(b));
    }

    /**
     * Peers hear that a released reservation is gone, as they heard it came: the same call drops a reservation that
     * completes after its release, so its circuit address does not stay announced.
     */
    @Test
    void aReleasedReservationIsAnnouncedGone() throws Exception {
        start();
        RelayClient aClient = client(a);
        AtomicInteger announced = new AtomicInteger();
        aClient.onCircuitAddressesChanged(announced::incrementAndGet);

        aClient.keep(addressOf(b));
        await().atMost(Duration.ofSeconds(10)).until(() -> announced.get() == 1);
        assertThat(aClient.release(addressOf(b))).isTrue();
        assertThat(announced).hasValue(2);
        assertThat(aClient.circuitAddresses()).isEmpty();
    }

    @Test
    void refusesAReservationFromAPeerThatIsNotAuthorized() throws Exception {
        start(RelayLimits.DEFAULT, Set.of(PrivateKey.generate().peerId())::contains);
        RelayClient aClient = client(a);

        assertThatThrownBy(() -> get(aClient.reserve(addressOf(b)))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RelayException.class)
                .extracting(e -> ((RelayException) e).status()).isEqualTo("PERMISSION_DENIED");
        assertThat(relay.reservedPeers()).isEmpty();
    }

    @Test
    void refusesACircuitToAPeerWithoutReservation() throws Exception {
        start();
        client(a);
        client(c);
        get(a.dial(addressOf(b)));

        Multiaddr throughB = Multiaddr.parse(addressOf(b) + "/p2p-circuit/p2p/" + a.peerId());
        assertThatThrownBy(() -> get(c.dial(throughB))).hasRootCauseInstanceOf(RelayException.class)
                .rootCause().extracting(e -> ((RelayException) e).status()).isEqualTo("NO_RESERVATION");
        assertThat(c.isConnected(a.peerId())).isFalse();
    }

    @Test
    void closesACircuitThatCarriesMoreThanItsByteLimit() throws Exception {
        start(new RelayLimits(4, Duration.ofMinutes(5), 4, 4,
                new CircuitLimit(Duration.ZERO, 64 * 1024)), peer -> true);
        RelayClient aClient = client(a);
        client(c);
        Reservation reservation = get(aClient.reserve(addressOf(b)));
        assertThat(reservation.limit().bytes()).isEqualTo(64 * 1024);
        get(c.dial(reservation.circuitAddresses().get(0).withPeerId(a.peerId())));
        assertThat(get(EchoHandler.roundTrip(c, a.peerId(), "small".getBytes()))).isEqualTo("small".getBytes());

        assertThatThrownBy(() -> get(EchoHandler.roundTrip(c, a.peerId(), new byte[256 * 1024])))
                .isInstanceOf(ExecutionException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !c.isConnected(a.peerId()) && relay.openCircuits() == 0);
        assertThat(b.isConnected(a.peerId())).as("only the circuit closes, not the connection to the relay").isTrue();
    }

    @Test
    void closesACircuitAtTheEndOfItsTimeLimit() throws Exception {
        start(new RelayLimits(4, Duration.ofMinutes(5), 4, 4,
                new CircuitLimit(Duration.ofSeconds(1), 0)), peer -> true);
        RelayClient aClient = client(a);
        client(c);
        Reservation reservation = get(aClient.reserve(addressOf(b)));
        get(c.dial(reservation.circuitAddresses().get(0).withPeerId(a.peerId())));
        assertThat(c.isConnected(a.peerId())).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> !c.isConnected(a.peerId()) && relay.openCircuits() == 0);
    }

    @Test
    void resetsAHopStreamWithAMalformedMessageAndServesTheNextOne() throws Exception {
        start();
        RelayClient aClient = client(a);
        get(a.dial(addressOf(b)));

        for (byte[] garbage : List.of(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, new byte[] {5, (byte) 0xff, 1, 2, 3, 4},
                new byte[] {(byte) 0x81, 0x40})) {
            CompletableFuture<Channel> stream = new CompletableFuture<>();
            a.newStream(b.peerId(), new ProtocolHandler() {
                @Override
                public List<String> protocolIds() {
                    return List.of(CircuitRelay.HOP_PROTOCOL);
                }

                @Override
                public void initStream(P2pStream s) {
                    s.channel().writeAndFlush(Unpooled.wrappedBuffer(garbage));
                    stream.complete(s.channel());
                }
            });
            Channel channel = get(stream);
            assertThat(channel.closeFuture().await(15, TimeUnit.SECONDS)).as("stream closed").isTrue();
        }
        assertThat(b.isConnected(a.peerId())).isTrue();
        assertThat(get(aClient.reserve(addressOf(b))).relay()).isEqualTo(b.peerId());
        assertThat(relay.reservedPeers()).containsExactly(a.peerId());
    }
}

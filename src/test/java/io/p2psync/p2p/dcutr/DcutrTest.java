package io.p2psync.p2p.dcutr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Connection;
import io.p2psync.p2p.host.EchoHandler;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.host.RedialPolicy;
import io.p2psync.p2p.pubsub.GossipRouter;
import io.p2psync.p2p.pubsub.GossipsubProtocol;
import io.p2psync.p2p.pubsub.PubsubMessage;
import io.p2psync.p2p.relay.RelayClient;
import io.p2psync.p2p.relay.RelayLimits;
import io.p2psync.p2p.relay.RelayServer;
import io.p2psync.p2p.relay.Reservation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real hosts on 127.0.0.1: A holds a reservation on relay R, C dials A through R, and DCUtR upgrades the relayed
 * connection. Here no NAT is in between, so A's dial to C's listen address already makes the direct connection; the
 * NAT case is in DcutrNamespaceIT.
 */
class DcutrTest {

    /**
     * The attempt bound of the tests that wait for attempts to fail (the node's is {@link Dcutr#ATTEMPT_TIMEOUT}):
     * long enough for a direct connection on 127.0.0.1 on a loaded machine, short enough not to wait 5 s per attempt.
     */
    private static final Duration SHORT_ATTEMPTS = Duration.ofSeconds(3);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Host host(PrivateKey key) {
        Host host = Host.builder().privateKey(key).listen("/ip4/127.0.0.1/tcp/0").protocol(new EchoHandler())
                .redialPolicy(RedialPolicy.NEVER).start();
        open.add(host);
        return host;
    }

    /** A host that dials circuit addresses. */
    private Host clientHost() {
        Host host = host(PrivateKey.generate());
        open.add(RelayClient.install(host, Clock.systemUTC()));
        return host;
    }

    /** A, reserved on relay R, and the circuit address C dials it at. */
    private record Setup(Host relay, Host a, Multiaddr aThroughRelay) {
    }

    private Setup relayAndReservedHost() throws Exception {
        PrivateKey relayKey = PrivateKey.generate();
        Host relay = host(relayKey);
        relay.addProtocol(new RelayServer(relay, relayKey, RelayLimits.DEFAULT, p -> true, p -> true,
                Clock.systemUTC()));
        Host a = host(PrivateKey.generate());
        RelayClient aClient = RelayClient.install(a, Clock.systemUTC());
        open.add(aClient);
        Reservation reservation = get(aClient.reserve(relay.listenAddresses().get(0).withPeerId(relay.peerId())));
        return new Setup(relay, a, reservation.circuitAddresses().get(0).withPeerId(a.peerId()));
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(20, TimeUnit.SECONDS);
    }

    private static boolean onlyDirect(Host host, PeerId peer) {
        List<Connection> to = host.connections().stream().filter(c -> c.remotePeer().equals(peer)).toList();
        return !to.isEmpty() && to.stream().allMatch(Connection::direct);
    }

    @Test
    void upgradesARelayedConnectionToADirectOneAndClosesTheRelayedOne() throws Exception {
        Setup s = relayAndReservedHost();
        Dcutr.install(s.a(), List::of);
        Host c = clientHost();
        Dcutr.install(c, List::of);

        Connection relayed = get(c.dial(s.aThroughRelay()));
        assertThat(relayed.direct()).isFalse();

        await().atMost(Duration.ofSeconds(20)).until(() -> onlyDirect(c, s.a().peerId()) && onlyDirect(s.a(), c.peerId()));
        assertThat(relayed.isOpen()).isFalse();
        // the spec's A (C here, which dialled through the relay) is the initiator on the direct connection
        assertThat(c.connection(s.a().peerId())).get().extracting(Connection::outbound).isEqualTo(true);
        assertThat(get(EchoHandler.roundTrip(c, s.a().peerId(), "direct".getBytes()))).isEqualTo("direct".getBytes());
        assertThat(get(EchoHandler.roundTrip(s.a(), c.peerId(), "back".getBytes()))).isEqualTo("back".getBytes());
    }

    /** A stream open on the relayed connection when it is replaced (a sync round, say) runs to its end there. */
    @Test
    void aStreamOpenOnTheRelayedConnectionFinishesBeforeItCloses() throws Exception {
        Setup s = relayAndReservedHost();
        Dcutr.install(s.a(), List::of);
        Host c = clientHost();
        Dcutr.install(c, List::of);
        Connection relayed = get(c.dial(s.aThroughRelay()));
        P2pStream stream = get(c.newStream(relayed, new EchoHandler()));
        java.util.concurrent.BlockingQueue<String> echoed = new java.util.concurrent.LinkedBlockingQueue<>();
        stream.channel().pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) msg;
                echoed.add(buf.toString(java.nio.charset.StandardCharsets.UTF_8));
                buf.release();
            }
        });

        await().atMost(Duration.ofSeconds(20)).until(() -> hasDirect(c, s.a().peerId()) && hasDirect(s.a(), c.peerId()));
        await().during(Dcutr.RELAYED_CLOSE_GRACE.plusSeconds(1)).atMost(Dcutr.RELAYED_CLOSE_GRACE.plusSeconds(10))
                .until(relayed::isOpen); // past the grace: held open by the stream
        assertThat(relayed.acceptsNewStreams()).as("new streams take the direct connection").isFalse();
        assertThat(c.connection(s.a().peerId())).get().extracting(Connection::direct).isEqualTo(true);
        stream.channel().writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("still here",
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(echoed.poll(10, TimeUnit.SECONDS)).isEqualTo("still here");

        stream.channel().close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !relayed.isOpen());
        assertThat(get(EchoHandler.roundTrip(c, s.a().peerId(), "direct".getBytes()))).isEqualTo("direct".getBytes());
    }

    /** A relayed connection draining its streams is no use once the direct one is gone: it closes at once. */
    @Test
    void aDrainingRelayedConnectionClosesAtOnceWhenTheDirectOneGoes() throws Exception {
        Setup s = relayAndReservedHost();
        Dcutr.install(s.a(), List::of);
        Host c = clientHost();
        Dcutr.install(c, List::of);
        Connection relayed = get(c.dial(s.aThroughRelay()));
        P2pStream stream = get(c.newStream(relayed, new EchoHandler())); // keeps it draining
        await().atMost(Duration.ofSeconds(20)).until(() -> hasDirect(c, s.a().peerId()) && hasDirect(s.a(), c.peerId()));
        await().atMost(Dcutr.RELAYED_CLOSE_GRACE.plusSeconds(10)).until(() -> !relayed.acceptsNewStreams());
        assertThat(relayed.isOpen()).isTrue();

        c.connections().stream().filter(x -> x.remotePeer().equals(s.a().peerId()) && x.direct())
                .forEach(Connection::close);
        await().atMost(Duration.ofSeconds(5)).until(() -> !relayed.isOpen());
        assertThat(c.isConnected(s.a().peerId())).as("so the peer counts as gone and is dialled again").isFalse();
        assertThat(stream.channel().isActive()).isFalse();
    }

    /**
     * Gossipsub keeps a stream open for as long as its connection lives: it moves to the direct connection, so
     * the relayed one closes within a heartbeat or two, not at the drain limit, and messages keep flowing.
     */
    @Test
    void gossipStreamsMoveToTheDirectConnectionSoTheRelayedOneClosesSoon() throws Exception {
        Setup s = relayAndReservedHost();
        Dcutr.install(s.a(), List::of);
        Host c = clientHost();
        Dcutr.install(c, List::of);
        List<String> atA = new java.util.concurrent.CopyOnWriteArrayList<>();
        GossipRouter routerA = gossip(s.a(), m -> atA.add(new String(m.data())));
        GossipRouter routerC = gossip(c, m -> { });
        Connection relayed = get(c.dial(s.aThroughRelay()));
        await().atMost(Duration.ofSeconds(20)).until(() -> routerA.topicPeers(TOPIC).contains(c.peerId())
                && routerC.topicPeers(TOPIC).contains(s.a().peerId()));

        await().atMost(Duration.ofSeconds(20)).until(() -> hasDirect(c, s.a().peerId()) && hasDirect(s.a(), c.peerId()));
        await().atMost(Dcutr.RELAYED_CLOSE_GRACE.plusSeconds(10)).until(() -> !relayed.isOpen());
        assertThat(Dcutr.RELAYED_DRAIN_LIMIT).isGreaterThan(Dcutr.RELAYED_CLOSE_GRACE.plusSeconds(10));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            routerC.publish(TOPIC, ("after " + System.nanoTime()).getBytes());
            return !atA.isEmpty();
        });
        assertThat(onlyDirect(c, s.a().peerId())).isTrue();
    }

    private static final String TOPIC = "dcutr-test";

    /** A gossipsub router on {@code host}, joined to {@link #TOPIC}, its heartbeat running. */
    private GossipRouter gossip(Host host, java.util.function.Consumer<PubsubMessage> listener) {
        GossipRouter router = GossipRouter.builder(PrivateKey.generate(),
                (peer, ids) -> host.newStream(peer, ids.toArray(String[]::new))).build();
        GossipsubProtocol protocol = new GossipsubProtocol(router);
        host.addProtocol(protocol);
        host.addConnectionListener(protocol.connectionListener());
        java.util.concurrent.ScheduledExecutorService heartbeat =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        open.add(heartbeat::shutdownNow);
        open.add(router);
        router.subscribe(TOPIC, listener);
        router.start(heartbeat);
        return router;
    }

    @Test
    void leavesTheRelayedConnectionWhenThePeerDoesNotSpeakDcutr() throws Exception {
        Setup s = relayAndReservedHost();
        Dcutr dcutr = Dcutr.install(s.a(), List::of);
        Host c = clientHost();

        Connection relayed = get(c.dial(s.aThroughRelay()));
        Connection atA = await().atMost(Duration.ofSeconds(10)).until(() -> s.a().connection(c.peerId()), java.util.Optional::isPresent).get();
        CompletableFuture<Connection> upgrade = dcutr.upgrade(atA);
        await().atMost(Duration.ofSeconds(60)).until(upgrade::isDone);

        assertThat(upgrade).isCompletedExceptionally();
        assertThat(relayed.isOpen()).isTrue();
        assertThat(get(EchoHandler.roundTrip(c, s.a().peerId(), "still".getBytes()))).isEqualTo("still".getBytes());
    }

    /** Bytes a misbehaving B sends on its /libp2p/dcutr stream, as hex. */
    @ParameterizedTest
    @ValueSource(strings = {
            "0308ac02", // SYNC where CONNECT is due
            "05ffffffffff", // not a protobuf
            "0308ff01", // a type this side does not know (255)
            "ffffffff0f", // a length far above 4 KiB
            "0408641200", // CONNECT whose only address is empty bytes: nothing to dial
    })
    void dropsAMalformedExchangeAndKeepsTheConnection(String hex) throws Exception {
        Setup s = relayAndReservedHost();
        Host c = clientHost();
        Dcutr.install(c, List::of);
        // C dials A through the relay, so A is the spec's B and opens the exchange; here it sends junk instead
        Connection relayed = get(c.dial(s.aThroughRelay()));
        Connection atA = await().atMost(Duration.ofSeconds(10)).until(() -> s.a().connection(c.peerId()), java.util.Optional::isPresent).get();
        P2pStream stream = get(s.a().newStream(atA, new RawDcutr()));
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(java.util.HexFormat.of().parseHex(hex)));

        await().atMost(Duration.ofSeconds(10)).until(() -> !stream.channel().isActive());
        assertThat(relayed.isOpen()).isTrue();
        assertThat(onlyDirect(c, s.a().peerId())).isFalse();
        assertThat(get(EchoHandler.roundTrip(c, s.a().peerId(), "still".getBytes()))).isEqualTo("still".getBytes());
    }

    @Test
    void refusesAnExchangeOnADirectConnection() throws Exception {
        Host a = host(PrivateKey.generate());
        Host c = host(PrivateKey.generate());
        Dcutr.install(c, List::of);
        Connection direct = get(a.dial(c.listenAddresses().get(0).withPeerId(c.peerId())));
        P2pStream stream = get(a.newStream(direct, new RawDcutr()));
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(framed(HolePunch.connect(
                List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1"))).toWire())));

        await().atMost(Duration.ofSeconds(10)).until(() -> !stream.channel().isActive());
        assertThat(direct.isOpen()).isTrue();
    }

    @Test
    void dialsAPeerThatAnnouncesAnAddressStraightAwayWithoutAnExchange() throws Exception {
        Setup s = relayAndReservedHost();
        Host c = clientHost(); // speaks no DCUtR: only the unilateral upgrade can make a direct connection
        Connection relayed = get(c.dial(s.aThroughRelay()));
        Connection atA = await().atMost(Duration.ofSeconds(10)).until(() -> s.a().connection(c.peerId()), java.util.Optional::isPresent).get();
        Dcutr dcutr = Dcutr.install(s.a(), List::of, r -> CompletableFuture.completedFuture(c.listenAddresses()));

        Connection direct = get(dcutr.upgrade(atA));

        // the spec's B dialled A's listener as an ordinary dial, so B is the initiator here
        assertThat(direct.direct()).isTrue();
        assertThat(direct.outbound()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> onlyDirect(c, s.a().peerId()) && onlyDirect(s.a(), c.peerId()));
        assertThat(relayed.isOpen()).isFalse();
        assertThat(get(EchoHandler.roundTrip(c, s.a().peerId(), "direct".getBytes()))).isEqualTo("direct".getBytes());
    }

    @Test
    void keepsTheRelayedConnectionWhenTheDirectOneClosesWithinTheGracePeriod() throws Exception {
        Setup s = relayAndReservedHost();
        Host c = clientHost();
        Dcutr.install(c, List::of);
        Connection relayed = get(c.dial(s.aThroughRelay()));
        Connection atA = await().atMost(Duration.ofSeconds(10)).until(() -> s.a().connection(c.peerId()), java.util.Optional::isPresent).get();
        // installed once the relayed connection is up, so that the upgrade is the one started here
        Dcutr dcutr = Dcutr.install(s.a(), List::of);

        Connection direct = get(dcutr.upgrade(atA));
        direct.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !hasDirect(s.a(), c.peerId()) && !hasDirect(c, s.a().peerId()));

        // both sides' grace periods end with no direct connection left: the relayed one is all there is, and stays
        await().during(Dcutr.RELAYED_CLOSE_GRACE.plusSeconds(1)).atMost(Dcutr.RELAYED_CLOSE_GRACE.plusSeconds(10))
                .until(relayed::isOpen);
        assertThat(get(EchoHandler.roundTrip(c, s.a().peerId(), "still".getBytes()))).isEqualTo("still".getBytes());
    }

    @Test
    void answersARetryOnTheSameStream() throws Exception {
        Setup s = relayAndReservedHost();
        Host c = clientHost();
        // C dialled through the relay: the spec's A; its failed first attempt ends at the (shortened) attempt bound
        Dcutr.install(c, List::of, SHORT_ATTEMPTS);
        Connection relayed = get(c.dial(s.aThroughRelay()));
        Connection atA = await().atMost(Duration.ofSeconds(10)).until(() -> s.a().connection(c.peerId()), java.util.Optional::isPresent).get();
        // the test plays B on the reserved host
        P2pStream stream = get(s.a().newStream(atA, new RawDcutr()));
        HolePunchStream messages = HolePunchStream.on(stream.channel());

        // attempt 1 names an address nobody listens at, so A's dials fail
        Multiaddr nowhere = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + HolePunchAddresses.freePort());
        get(messages.send(HolePunch.connect(List.of(nowhere))));
        assertThat(get(messages.next()).type()).isEqualTo(HolePunchType.CONNECT);
        get(messages.send(HolePunch.sync()));
        // attempt 2, on the same stream (spec step 6), names B's listener
        get(messages.send(HolePunch.connect(s.a().listenAddresses())));
        assertThat(get(messages.next()).type()).isEqualTo(HolePunchType.CONNECT);
        get(messages.send(HolePunch.sync()));

        await().atMost(Duration.ofSeconds(20)).until(() -> onlyDirect(c, s.a().peerId()));
        assertThat(relayed.isOpen()).isFalse();
        assertThat(c.connection(s.a().peerId())).get().extracting(Connection::outbound).isEqualTo(true);
    }

    /**
     * B ends the exchange as soon as its side of the punched connection is up, which can be before A's side is: A
     * keeps that connection (it once dropped it as a losing dial, while B kept it and let the relayed one go).
     */
    @Test
    void keepsTheDirectConnectionWhenThePeerEndsTheExchangeBeforeItIsUpHere() throws Exception {
        Setup s = relayAndReservedHost();
        Host c = clientHost();
        Dcutr.install(c, List::of); // C dialled through the relay: the spec's A
        Connection relayed = get(c.dial(s.aThroughRelay()));
        Connection atA = await().atMost(Duration.ofSeconds(10)).until(() -> s.a().connection(c.peerId()), java.util.Optional::isPresent).get();
        // the test plays B on the reserved host, and ends the stream right after SYNC, before C's dial can be through
        P2pStream stream = get(s.a().newStream(atA, new RawDcutr()));
        HolePunchStream messages = HolePunchStream.on(stream.channel());
        get(messages.send(HolePunch.connect(s.a().listenAddresses())));
        assertThat(get(messages.next()).type()).isEqualTo(HolePunchType.CONNECT);
        get(messages.send(HolePunch.sync()));
        stream.channel().close();

        await().atMost(Duration.ofSeconds(20)).until(() -> onlyDirect(c, s.a().peerId()));
        assertThat(relayed.isOpen()).isFalse();
        assertThat(hasDirect(s.a(), c.peerId())).isTrue();
    }

    @Test
    void retriesOnTheStreamOfTheFirstAttempt() throws Exception {
        Setup s = relayAndReservedHost();
        Host c = clientHost();
        ScriptedA scripted = new ScriptedA(false);
        c.addProtocol(scripted);
        get(c.dial(s.aThroughRelay()));
        Connection atA = await().atMost(Duration.ofSeconds(10)).until(() -> s.a().connection(c.peerId()), java.util.Optional::isPresent).get();
        Dcutr dcutr = Dcutr.install(s.a(), List::of, SHORT_ATTEMPTS); // every attempt fails: each waits out its bound

        CompletableFuture<Connection> upgrade = dcutr.upgrade(atA);
        await().atMost(Duration.ofSeconds(60)).until(upgrade::isDone);

        assertThat(upgrade).isCompletedExceptionally();
        assertThat(scripted.connects).hasValue(Dcutr.MAX_ATTEMPTS);
        assertThat(scripted.streams).as("every attempt on one stream").hasValue(1);
        assertThat(atA.isOpen()).isTrue();
    }

    @Test
    void triesAgainOnANewStreamWhenThePeerEndsTheStream() throws Exception {
        Setup s = relayAndReservedHost();
        Host c = clientHost();
        ScriptedA scripted = new ScriptedA(true);
        c.addProtocol(scripted);
        get(c.dial(s.aThroughRelay()));
        Connection atA = await().atMost(Duration.ofSeconds(10)).until(() -> s.a().connection(c.peerId()), java.util.Optional::isPresent).get();
        Dcutr dcutr = Dcutr.install(s.a(), List::of, SHORT_ATTEMPTS); // every attempt fails: each waits out its bound

        CompletableFuture<Connection> upgrade = dcutr.upgrade(atA);
        await().atMost(Duration.ofSeconds(60)).until(upgrade::isDone);

        // a stream that ends breaks no rule (js-libp2p answers one exchange per stream): it is no reason to give up
        assertThat(upgrade).isCompletedExceptionally();
        assertThat(scripted.streams).hasValue(Dcutr.MAX_ATTEMPTS);
        assertThat(atA.isOpen()).isTrue();
    }

    private static boolean hasDirect(Host host, PeerId peer) {
        return host.connections().stream().anyMatch(x -> x.remotePeer().equals(peer) && x.direct());
    }

    /**
     * A peer in the spec's role A that never gets a direct connection: it answers every CONNECT with an address nobody
     * listens at and takes the SYNC, on the same stream as often as asked; with {@code endsStreams}, it instead closes
     * every stream as soon as it is opened (a peer that is busy, or answers one exchange per stream and is done).
     */
    private static final class ScriptedA implements ProtocolHandler {
        final AtomicInteger streams = new AtomicInteger();
        final AtomicInteger connects = new AtomicInteger();
        private final boolean endsStreams;
        private final Multiaddr nowhere = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + HolePunchAddresses.freePort());

        ScriptedA(boolean endsStreams) {
            this.endsStreams = endsStreams;
        }

        @Override
        public List<String> protocolIds() {
            return List.of(Dcutr.PROTOCOL_ID);
        }

        @Override
        public void initStream(P2pStream stream) {
            streams.incrementAndGet();
            HolePunchStream messages = HolePunchStream.on(stream.channel());
            if (endsStreams) {
                stream.channel().close();
            } else {
                answer(messages);
            }
        }

        private void answer(HolePunchStream messages) {
            messages.next().thenCompose(connect -> {
                connects.incrementAndGet();
                return messages.send(HolePunch.connect(List.of(nowhere)));
            }).thenCompose(v -> messages.next()).thenAccept(sync -> answer(messages));
        }
    }

    /** Opens {@code /libp2p/dcutr} and leaves the bytes to the test. */
    private static final class RawDcutr implements ProtocolHandler {
        @Override
        public List<String> protocolIds() {
            return List.of(Dcutr.PROTOCOL_ID);
        }

        @Override
        public void initStream(P2pStream stream) {
        }
    }

    static byte[] framed(byte[] body) {
        byte[] prefix = UnsignedVarint.encode(body.length);
        byte[] out = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        return out;
    }
}

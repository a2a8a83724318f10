package io.p2psync.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.p2psync.p2p.core.Multiaddr;
import io.p2psync.p2p.core.PeerId;
import io.p2psync.p2p.core.PrivateKey;
import io.p2psync.p2p.core.UnsignedVarint;
import io.p2psync.p2p.host.Host;
import io.p2psync.p2p.host.HostBuilder;
import io.p2psync.p2p.host.P2pStream;
import io.p2psync.p2p.host.ProtocolHandler;
import io.p2psync.p2p.pubsub.pb.RpcProto;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a router queues for one peer, over each transport a node speaks (real TCP and QUIC on 127.0.0.1): a peer
 * that never reads pins a bounded number of bytes and has its stream reset, and bursts to a peer that reads
 * arrive whole, with no reset however briefly the transport's own flow control holds the bytes back.
 */
class OutboundBackPressureTest {

    private static final String TOPIC = "t";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long LIMIT = GossipParams.defaults().maxQueuedBytes();

    /** The outbound stream each router opened, by the router's peer id (one peer each here). */
    private final Map<PeerId, P2pStream> streamFrom = new ConcurrentHashMap<>();
    private final List<GossipRouter> routers = new ArrayList<>();
    private final List<Host> hosts = new ArrayList<>();
    /** At the reset: what the router counted as waiting, and what the stream's own buffer held (TCP only). */
    private final CompletableFuture<long[]> atReset = new CompletableFuture<>();

    @AfterEach
    void close() {
        routers.forEach(GossipRouter::close);
        hosts.forEach(Host::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"})
    void queuedBytesForAPeerThatNeverReadsStayBoundedAndItsStreamIsReset(String listen) throws Exception {
        GossipRouter router = routerOn(listen);
        router.subscribe(TOPIC, m -> { });
        Host victim = hosts.get(0);
        Host reader = host(Host.builder().protocol(neverReads()));
        reader.dial(address(victim, listen)).get(20, TimeUnit.SECONDS);
        announceTopic(reader, victim);
        await().atMost(WAIT).until(() -> router.topicPeers(TOPIC).contains(reader.peerId())
                && streamFrom.containsKey(router.self()));

        int frameBytes = 64 * 1024 + 128; // a message, its envelope and the frame's length prefix
        for (int i = 0; i < 200; i++) { // 12.5 MiB in all
            router.publish(TOPIC, new byte[64 * 1024]);
        }

        P2pStream stream = streamFrom.get(router.self());
        await().atMost(WAIT).until(() -> !stream.channel().isOpen());
        long[] waiting = atReset.get(10, TimeUnit.SECONDS);
        assertThat(waiting[0]).as("bytes waiting for the peer when its stream was reset")
                .isGreaterThan(LIMIT).isLessThanOrEqualTo(LIMIT + frameBytes);
        if (waiting[1] >= 0) {
            // yamux keeps them in the stream's buffer: the part of one frame already moved out, and 96 bytes of
            // Netty's bookkeeping per frame, apart
            assertThat(waiting[1]).as("bytes in the yamux stream's own buffer at the reset")
                    .isBetween(waiting[0] - frameBytes, waiting[0] + 96 * (waiting[0] / frameBytes + 1));
        }
        assertThat(router.outboundOverflows()).isEqualTo(1);
    }

    /**
     * Bursts of 2,000 messages of 1 KiB published at once, each under {@link GossipParams#maxQueuedBytes()}, so
     * even a reader that took nothing until the end of one would not be over the limit; together they are well
     * over it, so a count of waiting bytes that failed to come down would show. On QUIC the stream stops being
     * writable whenever the peer's flow-control credit or the congestion window is used up, which says nothing of
     * what waits.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"})
    void burstsBelowTheLimitReachAPeerThatReadsWholeAndNoStreamIsReset(String listen) throws Exception {
        int perBurst = 2_000;
        GossipRouter publisher = routerOn(listen);
        GossipRouter subscriber = routerOn(listen);
        AtomicInteger received = new AtomicInteger();
        subscriber.subscribe(TOPIC, m -> received.incrementAndGet());
        hosts.get(1).dial(address(hosts.get(0), listen)).get(20, TimeUnit.SECONDS);
        // own messages go to every peer known to be in the topic (flood publishing, the default)
        await().atMost(WAIT).until(() -> publisher.topicPeers(TOPIC).contains(subscriber.self())
                && streamFrom.containsKey(publisher.self()));
        P2pStream stream = streamFrom.get(publisher.self());

        for (int burst = 1; burst <= 3; burst++) {
            for (int i = 0; i < perBurst; i++) {
                publisher.publish(TOPIC, new byte[1024]);
            }
            int expected = burst * perBurst;
            await().atMost(WAIT).until(() -> received.get() == expected || publisher.outboundOverflows() > 0);
            assertThat(publisher.outboundOverflows()).as("streams reset for back-pressure").isZero();
            assertThat(received).hasValue(expected);
            assertThat(queuedOn(stream)).as("bytes counted as waiting once all arrived").isZero();
        }
    }

    /** A router on a host of its own, with the same key, listening on {@code listen}. */
    private GossipRouter routerOn(String listen) {
        Host[] self = new Host[1];
        PrivateKey key = PrivateKey.generate();
        GossipRouter router = GossipRouter.builder(key,
                (peer, ids) -> self[0].newStream(peer, ids.toArray(String[]::new)).thenApply(s -> {
                    noteWaitingAtClose(s);
                    streamFrom.put(key.peerId(), s);
                    return s;
                })).build();
        routers.add(router);
        GossipsubProtocol gossip = new GossipsubProtocol(router);
        self[0] = host(Host.builder().privateKey(key).listen(listen).protocol(gossip)
                .connectionListener(gossip.connectionListener()));
        return router;
    }

    private Host host(HostBuilder builder) {
        Host host = builder.start();
        hosts.add(host);
        return host;
    }

    private static Multiaddr address(Host host, String listen) {
        boolean quic = listen.contains("quic");
        return host.listenAddresses().stream().filter(a -> a.isQuic() == quic).findFirst().orElseThrow()
                .withPeerId(host.peerId());
    }

    /** What the router counts as waiting on {@code stream}, read on its event loop. */
    private static long queuedOn(P2pStream stream) throws Exception {
        CompletableFuture<Long> queued = new CompletableFuture<>();
        stream.channel().eventLoop().execute(() -> queued.complete(QueuedBytes.of(stream.channel())));
        return queued.get(10, TimeUnit.SECONDS);
    }

    /** Notes, when the router closes the stream, what it counted as waiting and what the transport's buffer held. */
    private void noteWaitingAtClose(P2pStream stream) {
        stream.channel().pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
                ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer(); // null on QUIC
                atReset.complete(new long[] {QueuedBytes.of(ctx.channel()),
                        buffer == null ? -1 : buffer.totalPendingWriteBytes()});
                super.close(ctx, promise);
            }
        });
    }

    /** Streams the victim opens to the reader are never read: their window is never returned. */
    private static ProtocolHandler neverReads() {
        return new ProtocolHandler() {
            @Override
            public List<String> protocolIds() {
                return GossipsubProtocol.PROTOCOL_IDS;
            }

            @Override
            public void initStream(P2pStream stream) {
                stream.channel().config().setAutoRead(false);
            }
        };
    }

    private static void announceTopic(Host reader, Host victim) throws Exception {
        P2pStream out = reader.newStream(victim.peerId(), GossipsubProtocol.MESHSUB_V11).get(20, TimeUnit.SECONDS);
        byte[] rpc = RpcProto.RPC.newBuilder()
                .addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(TOPIC))
                .build().toByteArray();
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        UnsignedVarint.write(rpc.length, frame);
        frame.writeBytes(rpc);
        out.channel().writeAndFlush(Unpooled.wrappedBuffer(frame.toByteArray())).sync();
    }
}
